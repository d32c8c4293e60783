import type { ApiError } from './api-error.js';
import { ApiError as ApiErrorClass } from './api-error.js';
import type { Reply } from './reply.js';
import { jsonReply } from './reply.js';

/** Renders an ApiError as a Creators API error body (reference §1.10). */
export function creatorsErrorReply(e: ApiError): Reply {
  const i = e.init;
  const body: Record<string, unknown> = { type: i.type, message: i.message };
  if (i.reason) body.reason = i.reason;
  if (i.issues) body.fieldList = [...new Set(i.issues.map((x) => x.field))];
  if (i.resourceType) body.resourceType = i.resourceType;
  if (i.resourceId !== undefined) body.resourceId = i.resourceId;
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
