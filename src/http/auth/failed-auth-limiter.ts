import { systemClock, type Clock } from '../../amazon/clock.js';

/** Limits on failed authentications (wrong tokens). */
export interface FailedAuthLimits {
  /** Wrong tokens answered 401 per address within one window (default 10). */
  maxFailures: number;
  /** Window length in ms (default 60 000). */
  windowMs: number;
  /** Wrong tokens answered 401 per second over every address together (default 10). */
  maxGlobalFailuresPerSecond: number;
  /** Time source (tests pass a manual clock). */
  clock: Pick<Clock, 'now'>;
}

/** What to answer a wrong token: 401, or 429 until `retryAfterMs` has passed. */
export type FailureVerdict =
  { limited: false } | { limited: true; scope: 'address' | 'global'; retryAfterMs: number };

/**
 * Bounds failed authentications, per client address and over the whole service. Only wrong
 * tokens are limited: the token is checked first, and a valid one always passes, whatever
 * others (or the same address, behind a shared proxy) got wrong. Guessing is not what this
 * stops — tokens are 256 random bits — it caps how many wrong-token answers a client, or a
 * crowd of addresses, gets, and tells scripts to back off. In memory, per process.
 */
export interface FailedAuthLimiter {
  /** Counts one wrong token from `address` and says whether to answer 429. */
  recordFailure(address: string): FailureVerdict;
}

interface Window {
  start: number;
  failures: number;
}

/** Addresses kept before expired windows are swept. */
const SWEEP_AT = 10_000;

export function createFailedAuthLimiter(limits: Partial<FailedAuthLimits> = {}): FailedAuthLimiter {
  const maxFailures = limits.maxFailures ?? 10;
  const windowMs = limits.windowMs ?? 60_000;
  const maxGlobal = limits.maxGlobalFailuresPerSecond ?? 10;
  const clock = limits.clock ?? systemClock;
  const windows = new Map<string, Window>();
  const global: Window = { start: 0, failures: 0 };
  const countFor = (address: string, now: number): Window => {
    let w = windows.get(address);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, failures: 0 };
      windows.set(address, w);
    }
    w.failures += 1;
    return w;
  };
  const sweep = (now: number): void => {
    if (windows.size < SWEEP_AT) return;
    for (const [address, w] of windows) if (now - w.start >= windowMs) windows.delete(address);
  };
  return {
    recordFailure(address) {
      const now = clock.now();
      sweep(now);
      const own = countFor(address, now);
      if (now - global.start >= 1000) Object.assign(global, { start: now, failures: 0 });
      global.failures += 1;
      if (own.failures > maxFailures) {
        return { limited: true, scope: 'address', retryAfterMs: own.start + windowMs - now };
      }
      if (global.failures > maxGlobal) {
        return { limited: true, scope: 'global', retryAfterMs: global.start + 1000 - now };
      }
      return { limited: false };
    },
  };
}
