import type { ApiError, ValidationIssue } from './api-error.js';
import { pascalKey } from './paapi-case.js';
import type { Reply } from './reply.js';
import { jsonReply } from './reply.js';

const TYPE_OF_CODE: Record<string, string> = {
  AssociateNotEligible: 'AccessDeniedException',
  NoResults: 'ResourceNotFoundException',
  InvalidAssociate: 'AssociateValidationException',
  TooManyRequests: 'TooManyRequestsException',
};

function issueError(i: ValidationIssue): { Code: string; Message: string } {
  const field = pascalKey(i.field);
  if (i.kind === 'missing')
    return {
      Code: 'MissingParameter',
      Message: `The request must contain the parameter ${field}.`,
    };
  if (i.kind === 'unknown')
    return {
      Code: 'InvalidParameterValue',
      Message: `The parameter ${field} is not supported.`,
    };
  const value = typeof i.value === 'string' ? i.value : JSON.stringify(i.value);
  const why = i.detail ? ` ${field} must be ${i.detail}.` : '';
  return {
    Code: 'InvalidParameterValue',
    Message: `The value [${value}] provided in the request for ${field} is invalid.${why}`,
  };
}

/** Renders an ApiError as a PA-API 5.0 error body: `{"__type":"com.amazon.paapi5#…","Errors":[…]}`. */
export function paapiErrorReply(e: ApiError): Reply {
  const i = e.init;
  const errors = i.issues?.length
    ? i.issues.map(issueError)
    : [{ Code: i.code ?? i.reason ?? 'InternalFailure', Message: i.paapiMessage ?? i.message }];
  const code = errors[0]?.Code ?? 'InternalFailure';
  const type = TYPE_OF_CODE[code] ?? `${code}Exception`;
  return jsonReply(i.status, { __type: `com.amazon.paapi5#${type}`, Errors: errors });
}

/** `Errors` inside a 200: each entry carries `__type: com.amazon.paapi5#ErrorData`. */
export function paapiPartialErrors(errors: { code: string; message: string }[]): unknown[] {
  return errors.map((e) => ({
    __type: 'com.amazon.paapi5#ErrorData',
    Code: e.code,
    Message: e.message.replace('Creators API', 'Product Advertising API'),
  }));
}
