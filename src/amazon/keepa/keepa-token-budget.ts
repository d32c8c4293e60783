import { systemClock, type Clock } from '../clock.js';
import { supersedesTokenStatus } from '../quota-recorder.js';
import type { RateLimiter, RateLimiterState } from '../rate-limiter.js';
import type { KeepaTokenStatus } from './keepa-http.js';

const MINUTE_MS = 60_000;

/** What the budget knows of a Keepa key, for the quota dashboard. */
export interface KeepaTokenState {
  /** Tokens left now as estimated from the last answer and the refills since (null before any). */
  tokensLeft: number | null;
  /** Tokens per minute (the plan), from the last answer. */
  refillRate: number | null;
  /** Epoch ms of the next refill, null before any answer. */
  nextRefillAt: number | null;
  /** Tokens of requests sent and not answered yet. */
  reserved: number;
  /** Tokens the answers said they cost, since the process started. */
  tokensConsumed: number;
  /** 429 answers (not enough tokens) since the process started. */
  throttles: number;
}

/**
 * The limiter of a Keepa key: a token budget, not a request rate. Keepa pays per product
 * (1 token each, reference §4), refills `refillRate` tokens every minute, keeps at most an hour of
 * them, and accepts a request while the key has tokens left even when it costs more (the balance
 * goes negative and the next refills pay it back). So a request may go when the estimated balance
 * minus the tokens of requests still on their way is above 0; its cost is reserved until its
 * answer, whose `tokensLeft`/`refillIn`/`refillRate` replace the estimate. Before any answer the
 * balance is unknown: one request goes alone (the probe) and the others wait for its answer.
 *
 * It implements `RateLimiter`, so the retry loop and the worker use it unchanged: `acquire` takes
 * one token; `forCost(n)` is the same budget taking n (the provider passes the request's code
 * count). Each grant also passes through `requests`, the credential's request limiter (shared
 * between processes through the database when configured), which keeps the per-request counts
 * the quota dashboard reads.
 */
export class KeepaTokenBudget implements RateLimiter {
  private readonly clock: Clock;
  private readonly waiters: Waiter[] = [];
  private tokensLeft: number | null = null;
  /** The answer the estimate comes from. */
  private reported: KeepaTokenStatus | null = null;
  private refillRate: number | null = null;
  private nextRefillAt = -Infinity;
  private pausedUntil = -Infinity;
  private reserved = 0;
  private inFlight = 0;
  private consumed = 0;
  private throttles = 0;
  private timer: unknown = null;

  constructor(
    private readonly requests: RateLimiter,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
  }

  /** Waits until one token may be spent, then for the request limiter. */
  acquire(signal?: AbortSignal): Promise<void> {
    return this.acquireTokens(1, signal);
  }

  /** This budget, taking `cost` tokens per acquire. */
  forCost(cost: number): RateLimiter {
    return {
      acquire: (signal) => this.acquireTokens(cost, signal),
      onThrottle: (ms) => this.onThrottle(ms),
      onSuccess: () => this.onSuccess(),
      state: () => this.state(),
    };
  }

  async acquireTokens(cost: number, signal?: AbortSignal): Promise<void> {
    await this.waitForTokens(Math.max(0, cost), signal);
    try {
      await this.requests.acquire(signal);
    } catch (e) {
      this.release(cost);
      this.pump();
      throw e;
    }
  }

  private waitForTokens(cost: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { cost, resolve, signal, onAbort: undefined };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
          this.pump();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
      this.pump();
    });
  }

  /**
   * A request that took `cost` tokens has its answer (or failed without one): its reservation
   * ends and the token status it carried, if any, becomes the estimate — unless an answer Keepa
   * gave later already arrived (concurrent requests are answered in any order).
   */
  settle(cost: number, status: KeepaTokenStatus | null): void {
    this.release(cost);
    if (status) {
      if (supersedesTokenStatus(status, this.reported)) {
        this.reported = status;
        this.tokensLeft = status.tokensLeft;
        this.refillRate = status.refillRate;
        this.nextRefillAt = this.clock.now() + status.refillInMs;
      }
      this.consumed += status.tokensConsumed ?? 0;
      this.requests.recordTokens?.({ ...status, tokensConsumed: status.tokensConsumed ?? 0 });
    }
    this.pump();
  }

  /** Keepa said the key has no tokens: nothing goes before the refill it named. */
  onThrottle(retryAfterMs?: number | null): void {
    this.throttles += 1;
    // Not the request limiter's onThrottle: a lack of tokens says nothing of the request rate.
    this.requests.recordThrottle?.();
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + (retryAfterMs ?? MINUTE_MS));
    this.pump();
  }

  onSuccess(): void {
    this.requests.onSuccess();
  }

  /** The request limiter's state, with the token rate as a request rate (one product each). */
  state(): RateLimiterState {
    const inner = this.requests.state();
    const perSecond = this.refillRate === null ? inner.tps : this.refillRate / 60;
    return {
      ...inner,
      queued: inner.queued + this.waiters.length,
      tps: Math.min(inner.tps, perSecond),
      pausedUntil: this.pausedUntil > this.clock.now() ? this.pausedUntil : inner.pausedUntil,
      throttles: inner.throttles + this.throttles,
    };
  }

  tokenState(): KeepaTokenState {
    const now = this.clock.now();
    return {
      tokensLeft: this.balanceAt(now),
      refillRate: this.refillRate,
      nextRefillAt: this.tokensLeft === null ? null : this.refillAfter(now),
      reserved: this.reserved,
      tokensConsumed: this.consumed,
      throttles: this.throttles,
    };
  }

  private release(cost: number): void {
    this.reserved = Math.max(0, this.reserved - Math.max(0, cost));
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** The first refill after `now` (they come every minute from the last one an answer named). */
  private refillAfter(now: number): number {
    if (now < this.nextRefillAt) return this.nextRefillAt;
    return this.nextRefillAt + (Math.floor((now - this.nextRefillAt) / MINUTE_MS) + 1) * MINUTE_MS;
  }

  /** Estimated balance at `now`: the last known one plus the refills since, an hour's worth at most. */
  private balanceAt(now: number): number | null {
    if (this.tokensLeft === null) return null;
    if (now < this.nextRefillAt) return this.tokensLeft;
    const rate = this.refillRate ?? 0;
    const refills = Math.floor((now - this.nextRefillAt) / MINUTE_MS) + 1;
    return Math.min(Math.max(this.tokensLeft, rate * 60), this.tokensLeft + refills * rate);
  }

  /** How long the first waiter must wait: 0 = now, null = until an answer comes. */
  private waitMs(now: number): number | null {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const balance = this.balanceAt(now);
    // Unknown balance: one request goes alone (the probe), the others wait for its answer.
    if (balance === null) return this.inFlight > 0 ? null : 0;
    if (balance - this.reserved > 0) return 0;
    return this.refillAfter(now) - now;
  }

  /** Grants every waiter the budget allows now, else arms one timer for the next refill. */
  private pump(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    for (;;) {
      const first = this.waiters[0];
      if (!first) return;
      const wait = this.waitMs(this.clock.now());
      if (wait === null) return;
      if (wait > 0) {
        this.timer = this.clock.setTimer(() => {
          this.timer = null;
          this.pump();
        }, wait);
        return;
      }
      this.waiters.shift();
      if (first.signal && first.onAbort) first.signal.removeEventListener('abort', first.onAbort);
      this.reserved += first.cost;
      this.inFlight += 1;
      first.resolve();
    }
  }
}

interface Waiter {
  cost: number;
  resolve: () => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}
