/** Limits on failed authentications per client address. */
export interface FailedAuthLimits {
  /** Failures allowed in one window before the address is refused (default 10). */
  maxFailures: number;
  /** Window length in ms (default 60 000). */
  windowMs: number;
}

/**
 * Slows down token guessing: after `maxFailures` wrong tokens from one address within a window,
 * that address gets 429 until the window ends. In memory, per process: an attacker spreading
 * over several processes gets a few more tries, which 256-bit tokens make irrelevant.
 */
export interface FailedAuthLimiter {
  /** Milliseconds until the address may try again; 0 when it is not blocked. */
  blockedForMs(address: string, now?: number): number;
  recordFailure(address: string, now?: number): void;
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
  const windows = new Map<string, Window>();
  const current = (address: string, now: number): Window | undefined => {
    const w = windows.get(address);
    if (w && now - w.start >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return w;
  };
  const sweep = (now: number): void => {
    if (windows.size < SWEEP_AT) return;
    for (const [address, w] of windows) if (now - w.start >= windowMs) windows.delete(address);
  };
  return {
    blockedForMs(address, now = Date.now()) {
      const w = current(address, now);
      return w && w.failures >= maxFailures ? w.start + windowMs - now : 0;
    },
    recordFailure(address, now = Date.now()) {
      sweep(now);
      const w = current(address, now);
      if (w) w.failures += 1;
      else windows.set(address, { start: now, failures: 1 });
    },
  };
}
