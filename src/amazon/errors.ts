/** What went wrong, as callers branch on it. Never branch on message text. */
export type AmazonErrorCode = keyof typeof ERROR_CLASSES;

export interface AmazonErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number | null;
  status?: number | null;
  requestId?: string | null;
  /** The provider's own error name (`ThrottleException`, `TokenExpired`, `InvalidSignature`…). */
  reason?: string | null;
  provider?: string | null;
  /** What the OAuth2 token endpoint answered, when that is what failed. */
  tokenEndpoint?: TokenEndpointAnswer | null;
  cause?: unknown;
}

/**
 * A refusal by the Creators token endpoint as it was said: HTTP status and the RFC 6749 `error` /
 * `error_description` (scrubbed of secrets). Lets a user tell what Amazon (Cognito or Login with
 * Amazon) objected to.
 */
export interface TokenEndpointAnswer {
  /** Host of the token endpoint (never a secret). */
  host: string;
  status: number;
  error: string | null;
  errorDescription: string | null;
}

/**
 * Every error class, the one list: whether the same call may succeed later (`retryable`, per
 * request), whether a job that ended with codes in this class is worth retrying later
 * (`transient`, per job: an unexplained `unknown` may be an outage too), and whether the
 * provider can answer no code at all with these settings (`unusable`: bad credentials, an
 * account not eligible), so a batch stops and the job pauses instead of spending quota.
 */
const ERROR_CLASSES = {
  network: { retryable: true, transient: true, unusable: false },
  api_rate_limit: { retryable: true, transient: true, unusable: false },
  auth: { retryable: false, transient: false, unusable: true },
  not_eligible: { retryable: false, transient: false, unusable: true },
  invalid_data: { retryable: false, transient: false, unusable: false },
  not_found: { retryable: false, transient: false, unusable: false },
  unknown: { retryable: false, transient: true, unusable: false },
} as const satisfies Record<string, { retryable: boolean; transient: boolean; unusable: boolean }>;

export const AMAZON_ERROR_CODES = Object.keys(ERROR_CLASSES) as AmazonErrorCode[];

/** The classes a failed job is retried for on the schedule; the others are final answers. */
export const TRANSIENT_ERROR_CODES = AMAZON_ERROR_CODES.filter((c) => ERROR_CLASSES[c].transient);

/** Whether an error of this class means the provider can answer no code with these settings. */
export function makesProviderUnusable(code: AmazonErrorCode): boolean {
  return ERROR_CLASSES[code].unusable;
}

/**
 * Failures that no other code of a batch can escape: the provider is unusable, or the day's
 * quota is spent (`api_rate_limit` that is not a 429). The rest of the batch is not sent.
 */
export function stopsTheBatch(e: AmazonError): boolean {
  return makesProviderUnusable(e.code) || (e.code === 'api_rate_limit' && e.status !== 429);
}

export function isAmazonErrorCode(value: unknown): value is AmazonErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CLASSES, value);
}

/**
 * The one error type of the Amazon module. `code` says what happened, `retryable` whether the
 * same call may succeed later, `retryAfterMs` when (if the provider said so).
 */
export class AmazonError extends Error {
  override readonly name = 'AmazonError';
  readonly code: AmazonErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  readonly requestId: string | null;
  readonly reason: string | null;
  readonly provider: string | null;
  readonly tokenEndpoint: TokenEndpointAnswer | null;

  constructor(code: AmazonErrorCode, message: string, options: AmazonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CLASSES[code].retryable;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.status = options.status ?? null;
    this.requestId = options.requestId ?? null;
    this.reason = options.reason ?? null;
    this.provider = options.provider ?? null;
    this.tokenEndpoint = options.tokenEndpoint ?? null;
  }

  /** A plain object for logs and HTTP error bodies (no cause, no stack). */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      status: this.status,
      requestId: this.requestId,
      reason: this.reason,
      provider: this.provider,
      tokenEndpoint: this.tokenEndpoint,
    };
  }
}

export function isAmazonError(e: unknown): e is AmazonError {
  return e instanceof AmazonError;
}

/** Replaces every secret in a text by `***` (provider messages may echo what they were sent). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Wraps anything thrown by fetch (DNS, refused, reset, timeout) as a retryable `network` error. */
export function networkError(e: unknown, what: string, timeoutMs?: number): AmazonError {
  if (isAmazonError(e)) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === 'TimeoutError') {
    return new AmazonError(
      'network',
      `${what} timed out after ${timeoutMs ?? '?'} ms; it will be retried. Raise AMAZON_TIMEOUT_MS if this persists.`,
      { cause: e, reason: 'Timeout' },
    );
  }
  const detail = causeText(e);
  return new AmazonError(
    'network',
    `${what} failed (${detail}); check the network and the API URL settings.`,
    { cause: e, reason: 'NetworkError' },
  );
}

function causeText(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } } | null;
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** True when the error is the caller's abort (not a timeout): never retried, rethrown as is. */
export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true && (e === signal.reason || (e as Error)?.name === 'AbortError');
}
