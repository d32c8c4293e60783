import { systemClock, type Clock } from './clock.js';
import type { RateLimiter } from './rate-limiter.js';

/** Grants older than this never answered (network error, aborted): they are forgotten. */
const STALE_GRANT_MS = 30_000;
/** Answers the estimate is the median of: one slow answer does not move it. */
const SAMPLES = 31;

/**
 * The limiter with the credential's answer time measured: from a grant to the `onSuccess` or
 * `onThrottle` that follows it (the client calls one of them per answer), as `latencyMs` in
 * `state()`. Answers are paired with the oldest open grant: with several requests out the pairs
 * may be crossed, but each sample stays within the spread of the latencies, and the median of
 * the last 31 is what the worker sizes its lanes by (`src/jobs/lane-plan.ts`). Null until an
 * answer came back.
 */
export function withLatencyEstimate(limiter: RateLimiter, clock: Clock = systemClock): RateLimiter {
  const open: number[] = [];
  const samples: number[] = [];
  const answered = (): void => {
    const now = clock.now();
    while (open.length > 0 && now - (open[0] as number) > STALE_GRANT_MS) open.shift();
    const granted = open.shift();
    if (granted === undefined) return;
    samples.push(now - granted);
    if (samples.length > SAMPLES) samples.shift();
  };
  return {
    ...bound(limiter),
    async acquire(signal) {
      await limiter.acquire(signal);
      open.push(clock.now());
      if (open.length > 1000) open.shift();
    },
    onThrottle(retryAfterMs) {
      answered();
      limiter.onThrottle(retryAfterMs);
    },
    onSuccess() {
      answered();
      limiter.onSuccess();
    },
    state() {
      return { ...limiter.state(), latencyMs: median(samples) };
    },
  };
}

/** The optional members of the wrapped limiter, bound to it. */
function bound(limiter: RateLimiter): Pick<RateLimiter, 'recordThrottle' | 'recordTokens'> {
  return {
    ...(limiter.recordThrottle ? { recordThrottle: () => limiter.recordThrottle?.() } : {}),
    ...(limiter.recordTokens ? { recordTokens: (status) => limiter.recordTokens?.(status) } : {}),
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
