import { systemClock, type Clock } from './clock.js';
import { AmazonError } from './errors.js';

/**
 * Paces the requests of one credential. `acquire` waits for a slot (it never fails because the
 * rate is reached; only a spent daily quota or an abort rejects). The in-process implementation
 * is below; a database-backed one shared by several workers implements the same interface.
 */
export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** The provider answered 429: pause (retry-after first) and lower the rate. */
  onThrottle(retryAfterMs?: number | null): void;
  /** A request went through: the rate may slowly climb back. */
  onSuccess(): void;
  state(): RateLimiterState;
}

export interface RateLimiterState {
  configuredTps: number;
  /** Current rate, lowered after 429s, at most configuredTps. */
  tps: number;
  /** Current burst (1 after a 429 until the rate is back to configured). */
  burst: number;
  tpd: number;
  usedToday: number;
  queued: number;
  pausedUntil: number | null;
  throttles: number;
}

export interface RateLimiterOptions {
  /** Requests per second (default 1). */
  tps?: number;
  /** Requests allowed at once after an idle period (default 1). */
  burst?: number;
  /** Requests per UTC day (default 8640). */
  tpd?: number;
  clock?: Clock;
  /** Lowest rate the 429 back-off may reach (default tps / 20). */
  minTps?: number;
}

const DAY_MS = 86_400_000;
/** Multiplicative decrease on a 429. */
const DECREASE = 0.5;
/**
 * Margin added to each interval, because requests reach the server with some jitter after
 * their slot (event loop, scheduling, network). A server bucket with burst > 1 keeps the credit
 * a slightly slower client leaves, so 0.5 % soon absorbs any jitter. With burst 1 the credit is
 * lost at every request: each interval must absorb the jitter alone. It starts at 1 % (at least
 * 1 ms, at most 20 ms) and widens when an isolated 429 shows the jitter is larger here (see
 * `onThrottle`). Measured (bench/job-quota.bench.ts, emulator in its own process, 10 TPS,
 * burst 1): 0 429s at 98-99 % of the rate on an idle 2-core machine.
 */
function intervalMargin(intervalMs: number, burst: number): number {
  if (burst > 1) return 0.005 * intervalMs;
  return Math.min(20, Math.max(0.01 * intervalMs, 1));
}

/** Largest extra margin an isolated 429 can add with burst 1: 8 % of the interval. */
const MAX_JITTER_SHARE = 0.08;
/**
 * A 429 after this many answered requests since the previous one, at full rate, is taken for
 * jitter, not for a lower quota: a quota lower than configured refuses requests within a few
 * slots of each other (at 5 TPS against 2, every other request), jitter only now and then.
 */
const ISOLATED_AFTER = 20;

/**
 * After an idle period the first request of a burst may reach the server late (new connection,
 * token fetch, cold code) and the server's bucket starts refilling only then: the next slots are
 * counted from this much after the first one. Once per burst, not per request.
 */
function startMargin(intervalMs: number): number {
  return Math.min(100, intervalMs / 2);
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * In-process limiter: a GCRA token bucket (rate `tps`, capacity `burst`) whose queue is served
 * by one timer, so waiters get consecutive slots and callers pipeline their requests (a request
 * starts when its slot comes, not when the previous response arrives).
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  return new TokenBucketLimiter(options);
}

class TokenBucketLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly configuredTps: number;
  private readonly configuredBurst: number;
  private readonly tpd: number;
  private readonly minTps: number;
  private tps: number;
  private burst: number;
  /** Ceiling learnt from the last 429: the rate climbs fast up to 90 % of it, slowly beyond. */
  private ceiling = Infinity;
  /** Theoretical arrival time of the next request (GCRA); the bucket is full when now ≥ tat. */
  private tat = -Infinity;
  private pausedUntil = -Infinity;
  private lastDecrease = -Infinity;
  /** Requests answered without a 429 since the last one (Infinity before the first). */
  private sinceThrottle = Infinity;
  /** Extra margin per interval learnt from isolated 429s (burst 1 only). */
  private jitterMs = 0;
  private day = -1;
  private usedToday = 0;
  private throttles = 0;
  private readonly queue: Waiter[] = [];
  private timer: unknown = null;

  constructor(o: RateLimiterOptions) {
    this.clock = o.clock ?? systemClock;
    this.configuredTps = positive(o.tps ?? 1, 'tps');
    this.configuredBurst = Math.max(1, Math.floor(o.burst ?? 1));
    this.tpd = Math.max(1, Math.floor(o.tpd ?? 8640));
    this.minTps = o.minTps ?? this.configuredTps / 20;
    this.tps = this.configuredTps;
    this.burst = this.configuredBurst;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
          this.pump(true);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      // Idle means nobody was waiting: only then may this request start a new burst. A waiter
      // whose timer fires a little late is not idle (measured: counting it so cost 50 ms on
      // about one slot in eight of a busy worker, 7 % of the quota).
      const idle = this.queue.length === 0;
      this.queue.push(w);
      this.pump(!idle);
    });
  }

  onThrottle(retryAfterMs?: number | null): void {
    const now = this.clock.now();
    this.throttles += 1;
    const isolated = this.sinceThrottle >= ISOLATED_AFTER && this.tps >= this.configuredTps;
    this.sinceThrottle = 0;
    const interval = this.interval();
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? interval));
    const base = 1000 / this.tps;
    if (isolated && this.configuredBurst === 1 && this.jitterMs < MAX_JITTER_SHARE * base) {
      // With burst 1 a lone 429 at full rate is most likely two requests reaching the server
      // closer than their slots (jitter): widen the margin instead of halving the rate. A lower
      // quota shows itself by a second 429 soon after, which halves the rate below.
      this.jitterMs = Math.min(MAX_JITTER_SHARE * base, this.jitterMs * 2 + 2);
    } else if (now - this.lastDecrease >= Math.max(1000, 2 * interval)) {
      // Requests already in flight when the first 429 came back will be throttled too: decrease
      // once per window, or a single overload would collapse the rate to the minimum.
      this.lastDecrease = now;
      this.ceiling = this.tps;
      this.tps = Math.max(this.minTps, this.tps * DECREASE);
      this.burst = 1;
    }
    // Nothing may go out before the pause ends, and no burst right after it.
    this.tat = Math.max(this.tat, this.pausedUntil + this.interval());
    this.pump(true);
  }

  onSuccess(): void {
    this.sinceThrottle += 1;
    if (this.tps >= this.configuredTps) return;
    const fast = this.tps < 0.9 * this.ceiling;
    const step = this.configuredTps * (fast ? 0.05 : 0.005);
    this.tps = Math.min(
      this.configuredTps,
      fast ? Math.min(this.tps + step, 0.9 * this.ceiling) : this.tps + step,
    );
    if (this.tps >= this.configuredTps) this.burst = this.configuredBurst;
  }

  state(): RateLimiterState {
    const now = this.clock.now();
    this.rollDay(now);
    return {
      configuredTps: this.configuredTps,
      tps: this.tps,
      burst: this.burst,
      tpd: this.tpd,
      usedToday: this.usedToday,
      queued: this.queue.length,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : null,
      throttles: this.throttles,
    };
  }

  private interval(): number {
    const base = 1000 / this.tps;
    return base + intervalMargin(base, this.burst) + (this.burst === 1 ? this.jitterMs : 0);
  }

  private rollDay(now: number): void {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.usedToday = 0;
    }
  }

  /**
   * Grants every waiter whose slot has come, then arms one timer for the next slot.
   * `woken` is false only when an acquire found nobody waiting (a burst may start).
   */
  private pump(woken: boolean): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    while (this.queue.length > 0) {
      const now = this.clock.now();
      this.rollDay(now);
      if (this.usedToday >= this.tpd) return this.rejectAll(now);
      const interval = this.interval();
      const earliest = Math.max(this.tat - (this.burst - 1) * interval, this.pausedUntil);
      if (now < earliest) {
        this.timer = this.clock.setTimer(() => {
          this.timer = null;
          this.pump(true);
        }, earliest - now);
        return;
      }
      this.grant(now, interval, !woken && now >= this.tat);
    }
  }

  private grant(now: number, interval: number, afterIdle: boolean): void {
    // GCRA: max(tat, now) models the server's bucket, capped at `burst` (credit lost while full).
    // A grant a little late (its timer fired late) may catch up by up to the margin, so timer
    // lateness does not add to every interval, while two grants stay at least 1/tps apart
    // (measured: mean gap 102.0 ms at 10 TPS without it, 101.0 ms with it).
    const margin = interval - 1000 / this.tps;
    const base = afterIdle ? now + startMargin(interval) : Math.max(this.tat, now - margin);
    this.tat = base + interval;
    this.usedToday += 1;
    const w = this.queue.shift() as Waiter;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    w.resolve();
  }

  private rejectAll(now: number): void {
    const untilMidnight = (Math.floor(now / DAY_MS) + 1) * DAY_MS - now;
    const error = new AmazonError(
      'api_rate_limit',
      `The daily quota of ${this.tpd} requests is used up; requests resume at midnight UTC. Raise AMAZON_TPD only if Amazon granted more.`,
      { retryable: true, retryAfterMs: Math.ceil(untilMidnight), reason: 'DailyQuotaExceeded' },
    );
    for (const w of this.queue.splice(0)) {
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.reject(error);
    }
  }
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v))
    throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}
