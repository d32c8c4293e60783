import type { ApiError, ValidationIssue } from './api-error.js';
import { ApiError as ApiErrorClass } from './api-error.js';
import type { Reply } from './reply.js';
import { jsonReply } from './reply.js';

/** One `fieldList` entry, as the SDK's `ValidationExceptionField`: `{name, message}`. */
export function validationField(i: ValidationIssue): { name: string; message: string } {
  if (i.kind === 'missing') return { name: i.field, message: `${i.field} is required.` };
  if (i.kind === 'unknown')
    return { name: i.field, message: `${i.field} is ${i.detail ?? 'not a known field'}.` };
  const value = JSON.stringify(i.value) ?? 'undefined';
  const must = i.detail ? ` It must be ${i.detail}.` : '';
  return { name: i.field, message: `The value ${value} of ${i.field} is invalid.${must}` };
}

/** Renders an ApiError as a Creators API error body (reference §1.10, SDK error models). */
export function creatorsErrorReply(e: ApiError): Reply {
  const i = e.init;
  const body: Record<string, unknown> = { type: i.type, message: i.message };
  if (i.reason) body.reason = i.reason;
  if (i.issues) body.fieldList = i.issues.map(validationField);
  if (i.resourceType) body.resourceType = i.resourceType;
  if (i.resourceId !== undefined) body.resourceId = i.resourceId;
  if (i.serviceCode) body.serviceCode = i.serviceCode;
  if (i.quotaCode) body.quotaCode = i.quotaCode;
  const headers: Record<string, string> = {};
  if (i.retryAfterSeconds !== undefined) {
    body.retryAfterSeconds = i.retryAfterSeconds;
    headers['retry-after'] = String(i.retryAfterSeconds);
  }
  return jsonReply(i.status, body, headers);
}

/** 401 UnauthorizedException with a reason. */
export function unauthorized(reason: string, message: string): ApiError {
  return new ApiErrorClass({ status: 401, type: 'UnauthorizedException', reason, message });
}

/** The messages of reference §1.10 for the 401 reasons the emulator uses. */
export const UNAUTHORIZED_MESSAGES: Record<string, string> = {
  TokenExpired: 'Authentication token has expired.',
  InvalidToken: 'The authentication token is invalid or malformed.',
  MissingCredential: 'Missing authentication credentials.',
  InvalidIssuer:
    'The token issuer does not match the credential version in the Authorization header.',
};
