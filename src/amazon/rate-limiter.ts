import { systemClock, type Clock } from './clock.js';
import {
  AdaptiveRate,
  dailyQuotaError,
  spendableBurst,
  startMargin,
  stalledSendMs,
} from './adaptive-rate.js';
import { WaiterQueue } from './waiter-queue.js';

/**
 * Paces the requests of one credential. `acquire` waits for a slot (it never fails because the
 * rate is reached; only a spent daily quota, an abort or, when shared, an unreachable store
 * rejects). The in-process implementation is below; `shared-rate-limiter.ts` shares one
 * credential's pace between processes through a store (the database's `rate_limits`).
 */
export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** The provider answered 429: pause (retry-after first) and lower the rate. */
  onThrottle(retryAfterMs?: number | null): void;
  /** A request went through: the rate may slowly climb back. */
  onSuccess(): void;
  state(): RateLimiterState;
  /**
   * Optional, for the quota dashboard: a 429 that a limiter on top of this one handled itself
   * (Keepa's token budget), and the token status a provider's answer carried.
   */
  recordThrottle?(): void;
  recordTokens?(status: {
    tokensLeft: number;
    refillRate: number;
    refillInMs: number;
    tokensConsumed: number;
    observedAtMs: number | null;
  }): void;
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
  /** Median answer time lately (ms); null before the first answer (`latency-estimate.ts`). */
  latencyMs?: number | null;
  /** Processes holding a share of the credential's rate now, this one counted (rate shares). */
  sharers?: number;
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
  private readonly tpd: number;
  private readonly rate: AdaptiveRate;
  /** Theoretical arrival time of the next request (GCRA); the bucket is full when now ≥ tat. */
  private tat = -Infinity;
  private pausedUntil = -Infinity;
  private day = -1;
  private usedToday = 0;
  private readonly queue = new WaiterQueue();
  private timer: unknown = null;

  constructor(o: RateLimiterOptions) {
    this.clock = o.clock ?? systemClock;
    this.tpd = Math.max(1, Math.floor(o.tpd ?? 8640));
    this.rate = new AdaptiveRate(o);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // Idle means nobody was waiting: only then may this request start a new burst. A waiter
    // whose timer fires a little late is not idle (measured: counting it so cost 50 ms on
    // about one slot in eight of a busy worker, 7 % of the quota).
    const idle = this.queue.length === 0;
    const granted = this.queue.add(signal, () => this.pump(true));
    if (!signal?.aborted) this.pump(!idle);
    return granted;
  }

  onThrottle(retryAfterMs?: number | null): void {
    const now = this.clock.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? this.rate.interval()));
    this.rate.onThrottle(now);
    // Nothing may go out before the pause ends, and no burst right after it.
    this.tat = Math.max(this.tat, this.pausedUntil + this.rate.interval());
    this.pump(true);
  }

  onSuccess(): void {
    this.rate.onSuccess();
  }

  state(): RateLimiterState {
    const now = this.clock.now();
    this.rollDay(now);
    return {
      configuredTps: this.rate.configuredTps,
      tps: this.rate.tps,
      burst: this.rate.burst,
      tpd: this.tpd,
      usedToday: this.usedToday,
      queued: this.queue.length,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : null,
      throttles: this.rate.throttles,
    };
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
      if (this.usedToday >= this.tpd) {
        const untilMidnight = (Math.floor(now / DAY_MS) + 1) * DAY_MS - now;
        return this.queue.rejectAll(dailyQuotaError(this.tpd, untilMidnight));
      }
      const interval = this.rate.interval();
      const span = (spendableBurst(this.rate.burst) - 1) * interval;
      const earliest = Math.max(this.tat - span, this.pausedUntil);
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
    const base = afterIdle
      ? now + startMargin(interval)
      : Math.max(this.tat, now - this.rate.margin());
    this.tat = base + interval;
    this.usedToday += 1;
    if (this.queue.grantFirst()) this.watchSend(now);
  }

  /**
   * On the event loop's next turn, after the granted request went: when a stall held it back
   * (`stalledSendMs`), it is counted where it went, so the bucket holds at most burst − 1
   * then and the slots the stall made late do not all join it.
   */
  private watchSend(grantedAt: number): void {
    this.clock.setTimer(() => {
      const now = this.clock.now();
      const interval = this.rate.interval();
      if (now - grantedAt < stalledSendMs(interval) || this.tat >= now + interval) return;
      this.tat = now + interval;
      this.pump(true);
    }, 0);
  }
}
