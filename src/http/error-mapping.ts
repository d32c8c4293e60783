import { AmazonError, type TokenEndpointAnswer } from '../amazon/errors.js';
import { SettingsError } from '../config/settings-error.js';
import {
  classifyDatabaseFault,
  DatabaseFaultError,
  describeDatabaseFault,
  FAULT_RETRY_AFTER_SECONDS,
  type DatabaseFaultCode,
} from '../db/db-fault.js';
import { FileError, surfaceMessage } from '../files/index.js';
import { JobError, type JobErrorCode } from '../jobs/errors.js';
import { MatchingRuleError } from '../matching/index.js';
import { HttpError } from './http-error.js';

/** What the client gets for an error: status, body fields and extra headers. */
export interface MappedError {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
  headers: Record<string, string>;
}

const JOB_STATUS: Record<JobErrorCode, number> = {
  job_not_found: 404,
  illegal_transition: 409,
  invalid_options: 400,
  input_invalid: 400,
  no_valid_codes: 400,
  retry_limit_reached: 409,
  ingestion_busy: 503,
};

/**
 * Maps a domain error to its answer; null for anything unknown (the caller answers 500 and shows
 * nothing of it). The one place that knows every module's error codes.
 */
export function mapError(error: unknown): MappedError | null {
  if (error instanceof HttpError) {
    return mapped(error.statusCode, error.code, error.message, error.details, error.headers);
  }
  if (error instanceof AmazonError) return mapAmazonError(error);
  if (error instanceof JobError) {
    const retry = error.details.retry_after_seconds;
    const headers: Record<string, string> =
      typeof retry === 'number' ? { 'retry-after': String(retry) } : {};
    return mapped(JOB_STATUS[error.code] ?? 400, error.code, error.message, error.details, headers);
  }
  if (error instanceof FileError) return mapFileError(error);
  if (error instanceof SettingsError) {
    const status = error.code === 'secret_undecryptable' ? 500 : 400;
    return mapped(status, error.code, error.message, error.details);
  }
  if (error instanceof MatchingRuleError) return mapped(400, error.code, error.message);
  if (error instanceof DatabaseFaultError)
    return mapDatabaseFault(error.code, error.message, error.details);
  const fault = classifyDatabaseFault(error);
  if (fault) return mapDatabaseFault(fault);
  return mapFastifyError(error);
}

function mapped(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): MappedError {
  return { status, code, message, details: { ...details }, headers };
}

/**
 * The database cannot be written (full disk) or reached (restarting): nothing was changed, the
 * client retries later. 503 with `Retry-After` for both; the code says which.
 */
export function mapDatabaseFault(
  fault: DatabaseFaultCode,
  message = describeDatabaseFault(fault),
  details: Record<string, unknown> = {},
): MappedError {
  const seconds = FAULT_RETRY_AFTER_SECONDS;
  return mapped(
    503,
    fault,
    message,
    { ...details, retry_after_seconds: seconds },
    { 'retry-after': String(seconds) },
  );
}

/**
 * An upload the full disk could not hold: 507 Insufficient Storage ("unable to store the
 * representation needed to complete the request", RFC 4918), same body and `Retry-After` as the
 * 503 `disk_full` of other writes. Nothing of the upload was kept. Other errors are unchanged.
 */
export function refuseUnstoredUpload(error: unknown): unknown {
  if (classifyDatabaseFault(error) !== 'disk_full') return error;
  const m = mapError(error) as MappedError;
  return new HttpError(507, m.code, m.message, m.details, m.headers);
}

/** Codes of the database-fault answers (logged once per fault by the database, not per request). */
export const DATABASE_FAULT_CODES: ReadonlySet<string> = new Set([
  'disk_full',
  'database_unavailable',
]);

function mapFileError(error: FileError): MappedError {
  const status = error.code === 'too_large' ? 413 : error.code === 'unsupported_format' ? 415 : 400;
  return mapped(status, error.code, surfaceMessage(error, 'api'), { ...error.details });
}

/** Reasons raised before any request, when settings are missing or unusable. */
const NOT_CONFIGURED = new Set(['MissingCredential', 'MissingPartnerTag', 'UnknownMarketplace']);

/**
 * Amazon failures. The credentials are the service's (not the caller's), so a refusal by Amazon
 * is a bad gateway (502), not the caller's 401; throttling is passed on as 429 with Retry-After.
 */
export function mapAmazonError(error: AmazonError): MappedError {
  const details: Record<string, unknown> = {
    reason: error.reason,
    provider: error.provider,
    request_id: error.requestId,
    retryable: error.retryable,
  };
  if (error.tokenEndpoint) details.token_endpoint = tokenEndpointView(error.tokenEndpoint);
  const code = `amazon_${error.code}`;
  if (error.reason && NOT_CONFIGURED.has(error.reason)) {
    return mapped(503, 'amazon_not_configured', error.message, details);
  }
  switch (error.code) {
    case 'api_rate_limit':
      return retryLater(429, code, error, details);
    case 'network':
      // Our own database (the shared limiter's state) did not answer: nothing was sent to
      // Amazon, the service is briefly unavailable rather than its upstream failing.
      if (error.reason === 'RateLimitStoreUnavailable')
        return retryLater(503, code, error, details);
      return mapped(error.reason === 'Timeout' ? 504 : 502, code, error.message, details);
    case 'auth':
      return mapped(502, code, error.message, details);
    case 'not_eligible':
      return mapped(403, code, error.message, details);
    case 'invalid_data':
      return mapped(400, code, error.message, details);
    case 'not_found':
      return mapped(404, code, error.message, details);
    default:
      return mapped(502, code, error.message, details);
  }
}

/** What the Creators token endpoint said, snake_case as the rest of the API. */
export function tokenEndpointView(t: TokenEndpointAnswer): Record<string, unknown> {
  return {
    host: t.host,
    status: t.status,
    error: t.error,
    error_description: t.errorDescription,
  };
}

/** An answer telling the client when to try again (`Retry-After`, whole seconds, at least 1). */
function retryLater(
  status: number,
  code: string,
  error: AmazonError,
  details: Record<string, unknown>,
): MappedError {
  const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000));
  return mapped(
    status,
    code,
    error.message,
    { ...details, retry_after_seconds: seconds },
    { 'retry-after': String(seconds) },
  );
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: ValidationIssue[];
  validationContext?: string;
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_body',
};

/** Fastify's own 4xx errors (validation, bad JSON, wrong content type, body too large). */
function mapFastifyError(error: unknown): MappedError | null {
  const e = error as FastifyLikeError | null;
  if (!e || typeof e !== 'object') return null;
  if (Array.isArray(e.validation)) return mapValidation(e.validation, e.validationContext);
  const status = e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError) {
    return mapped(
      400,
      'invalid_body',
      `The body is not valid JSON (${e.message}); send a JSON object.`,
    );
  }
  const code = (e.code && FASTIFY_CODES[e.code]) ?? 'bad_request';
  return mapped(status, code, e.message ?? 'Bad request.');
}

function mapValidation(issues: ValidationIssue[], context = 'body'): MappedError {
  const list = issues.map((i) => describeIssue(i, context));
  const first = list[0];
  const text = list.map((i) => `${i.location} "${i.field}" ${i.problem}`).join('; ');
  return mapped(
    400,
    'validation_failed',
    `Invalid request: ${text}. See /api/docs for the expected shape.`,
    { issues: list, field: first?.field ?? null },
  );
}

function describeIssue(
  issue: ValidationIssue,
  location: string,
): { location: string; field: string; problem: string } {
  const path = (issue.instancePath ?? '').split('/').filter(Boolean);
  const params = issue.params ?? {};
  let problem = issue.message ?? 'is invalid';
  if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
    path.push(params.missingProperty);
    problem = 'is required';
  } else if (
    issue.keyword === 'additionalProperties' &&
    typeof params.additionalProperty === 'string'
  ) {
    path.push(params.additionalProperty);
    problem = 'is not a known field';
  } else if (issue.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    problem = `must be one of ${params.allowedValues.map(String).join(', ')}`;
  }
  return { location, field: path.join('.') || '(root)', problem };
}
