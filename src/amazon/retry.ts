import type { Logger } from '../logging/logger.js';
import { sleep, type Clock } from './clock.js';
import { isAbort, isAmazonError, type AmazonError } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';

/** How transient failures are retried. */
export interface RetryPolicy {
  /** Attempts for network errors and 5xx (429s are not counted). Default 3. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429s tolerated for one call before giving up (they go back through the limiter). */
  maxThrottles: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxThrottles: 20,
};

export interface RetryContext {
  limiter: RateLimiter;
  clock: Clock;
  policy: RetryPolicy;
  signal?: AbortSignal;
  logger?: Logger;
  random?: () => number;
  /** Operation name for logs. */
  operation: string;
}

/** Capped exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/**
 * Runs `send` once per limiter slot until it succeeds or fails for good. 429s lower the
 * limiter's rate and go round again without using an attempt; network errors and 5xx are
 * retried with backoff (retry-after first); `recover` may fix a rejected token once.
 */
export async function runWithRetries<T>(
  ctx: RetryContext,
  send: Send<T>,
  recover?: (e: AmazonError) => boolean,
): Promise<T> {
  let failures = 0;
  let throttles = 0;
  let recovered = false;
  for (;;) {
    const outcome = await attemptOnce(ctx, send);
    if (outcome.ok) return outcome.value;
    const e = outcome.error;
    if (isAbort(e, ctx.signal) || !isAmazonError(e)) throw e;
    if (e.code === 'api_rate_limit' && e.status === 429) {
      ctx.limiter.onThrottle(e.retryAfterMs);
      if (++throttles > ctx.policy.maxThrottles) throw e;
      ctx.logger?.debug(
        { op: ctx.operation, retryAfterMs: e.retryAfterMs, requestId: e.requestId },
        'amazon throttled; slowing down',
      );
      continue;
    }
    if (!recovered && recover?.(e)) {
      recovered = true;
      continue;
    }
    if (!e.retryable || ++failures >= ctx.policy.maxAttempts) throw e;
    const delay = e.retryAfterMs ?? backoffMs(failures, ctx.policy, ctx.random);
    ctx.logger?.warn(
      {
        op: ctx.operation,
        code: e.code,
        reason: e.reason,
        status: e.status,
        delay,
        attempt: failures,
        // What failed (a timeout, a refused connection…): secrets are scrubbed from messages.
        error: e.message,
      },
      'amazon request failed; retrying',
    );
    await sleep(ctx.clock, delay, ctx.signal);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Sends one request. It calls `slot()` once, right before the bytes go out: whatever can be
 * done earlier (token, body, signature) is done before, so that the time between the slot and
 * the server seeing the request is short and steady (jitter there is what causes 429s).
 */
export type Send<T> = (slot: () => Promise<void>) => Promise<T>;

/** One try. A limiter rejection (daily quota, abort) is final and thrown. */
async function attemptOnce<T>(ctx: RetryContext, send: Send<T>): Promise<Outcome<T>> {
  let limiterError: unknown = null;
  let slotTaken = false;
  const slot = async (): Promise<void> => {
    try {
      await ctx.limiter.acquire(ctx.signal);
      slotTaken = true;
    } catch (e) {
      limiterError = e;
      throw e;
    }
  };
  try {
    const value = await send(slot);
    if (slotTaken) ctx.limiter.onSuccess();
    return { ok: true, value };
  } catch (error) {
    if (limiterError !== null) throw limiterError;
    return { ok: false, error };
  }
}
