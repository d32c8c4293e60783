import { ApiError } from './api-error.js';
import type { EmulatorCredential } from './catalog.js';
import { credentialKey } from './catalog.js';
import type { EmulatorState } from './emulator-state.js';
import { quotaOf } from './emulator-state.js';
import type { FaultDecision } from './faults.js';
import { drawFault } from './faults.js';

/** Outcome of the checks every API call passes after authentication. */
export type Admission = { fault: FaultDecision };

/** 403 for a credential flagged `eligible: false`. */
export function notEligible(): ApiError {
  return new ApiError({
    status: 403,
    type: 'AccessDeniedException',
    reason: 'AssociateNotEligible',
    code: 'AssociateNotEligible',
    message: 'Your account does not currently meet the eligibility requirements.',
  });
}

/**
 * The 429. Creators: the SDK's `ThrottleExceptionResponseContent` (`type`, `message`,
 * `serviceCode`, `quotaCode`), nothing about when to retry unless `hints` (the emulator's
 * `throttleHints` option) adds `retryAfterSeconds` and `Retry-After`. The two codes' values are
 * the emulator's own (Amazon's are not documented); clients must not depend on them.
 */
function throttled(
  protocol: 'creators' | 'paapi',
  reason: 'tps' | 'tpd',
  retry: number,
  hints: boolean,
): ApiError {
  const perSecond =
    protocol === 'creators'
      ? 'The request was denied due to request throttling. Please verify the number of requests made per second.'
      : 'The request was denied due to request throttling. Please verify the number of requests made per second to the Amazon Product Advertising API.';
  const daily =
    'The request was denied due to request throttling. The daily request quota of this credential is used up.';
  const creators = protocol === 'creators';
  return new ApiError({
    status: 429,
    type: creators ? 'ThrottleException' : 'TooManyRequestsException',
    code: 'TooManyRequests',
    message: reason === 'tps' ? perSecond : daily,
    serviceCode: creators ? THROTTLE_SERVICE_CODE : undefined,
    quotaCode: creators ? THROTTLE_QUOTA_CODES[reason] : undefined,
    retryAfterSeconds: creators && hints ? retry : undefined,
  });
}

/** `serviceCode` of the emulator's Creators 429s. */
export const THROTTLE_SERVICE_CODE = 'creatorsapi';
/** `quotaCode` of the emulator's Creators 429s: which of the two limits refused. */
export const THROTTLE_QUOTA_CODES = {
  tps: 'RequestsPerSecond',
  tpd: 'RequestsPerDay',
} as const;

/** A server fault as an ApiError (500 InternalServerException / 503). */
export function serverFault(status: 500 | 503): ApiError {
  return status === 500
    ? new ApiError({
        status,
        type: 'InternalServerException',
        code: 'InternalFailure',
        message: 'An unexpected error occurred while processing your request.',
        paapiMessage:
          'The request processing has failed because of an unknown error, exception or failure.',
      })
    : new ApiError({
        status,
        type: 'ServiceUnavailableException',
        code: 'ServiceUnavailable',
        message: 'The service is temporarily unavailable. Please retry later.',
        paapiMessage: 'The request has failed due to a temporary failure of the server.',
      });
}

/**
 * Eligibility, then quota (a token from the bucket and the daily count), then the fault draw.
 * Throws the ApiError to send; a throttled request uses no quota.
 */
export function admit(
  state: EmulatorState,
  cred: EmulatorCredential,
  protocol: 'creators' | 'paapi',
): Admission {
  if (cred.kind !== 'spapi' && cred.eligible === false) throw notEligible();
  const decision = state.quota.take(credentialKey(cred), quotaOf(state, cred), state.arrivedAt);
  if (!decision.allowed)
    throw throttled(
      protocol,
      decision.reason,
      decision.retryAfterSeconds,
      state.behaviour.throttleHints,
    );
  const fault = drawFault(state.faults, state.rng);
  if (fault === 500 || fault === 503) throw serverFault(fault);
  return { fault };
}
