import {
  AdaptiveRate,
  dailyQuotaError,
  spendableBurst,
  startMargin,
  stalledSendMs,
} from './adaptive-rate.js';
import { systemClock, type Clock } from './clock.js';
import { AmazonError } from './errors.js';
import type { Pace, RateLimitStore, SlotReservation } from './rate-limit-store.js';
import type { RateLimiter, RateLimiterOptions, RateLimiterState } from './rate-limiter.js';
import { WaiterQueue } from './waiter-queue.js';

export interface SharedRateLimiterOptions extends RateLimiterOptions {
  store: RateLimitStore;
  /** The credential's row in the store: the same for every process using that credential. */
  key: string;
}

const DAY_MS = 86_400_000;

/**
 * A limiter whose slots come from a store shared by several processes, so together they keep to
 * one credential's quota. A waiter's slot is reserved in the store (the shared schedule), this
 * process waits locally until it comes, then records the grant in the store, which also reserves
 * the next slot when more wait (one round trip per request). Waiters are served first come first
 * served; a process holds at most one slot ahead, so busy processes take turns slot by slot, and
 * slots stay consecutive (pipelining).
 *
 * The grant is checked against the previous grant of any process: a timer that fired late (a
 * busy event loop, a loaded machine) pushes the next grants back instead of leaving two requests
 * closer than 1/tps, as the in-process limiter's catch-up does. Measured: with the grant taken
 * at the slot unchecked, one worker on a loaded 2-core machine sent gaps down to 11 ms at
 * 10 TPS; the in-process limiter, never below 100 ms.
 *
 * Shared: the schedule, the pause after a 429, the daily count. Local: the rate and margin the
 * 429s taught this process (as in the in-process limiter). When the store fails, waiters are
 * refused with a retryable error: a request is never sent unpaced.
 */
export function createSharedRateLimiter(options: SharedRateLimiterOptions): RateLimiter {
  return new SharedLimiter(options);
}

class SharedLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly store: RateLimitStore;
  private readonly key: string;
  private readonly tpd: number;
  private readonly rate: AdaptiveRate;
  private readonly queue = new WaiterQueue();
  /** A statement is on its way to or from the store (one at a time). */
  private busy = false;
  /** The timer of the slot this process holds (reserved, not granted yet). */
  private slotTimer: unknown = null;
  /** Known end of the shared pause (this process's 429s and what the store said). */
  private pausedUntil = -Infinity;
  /** The daily quota is spent until then: refuse without asking the store. */
  private exhaustedUntil = -Infinity;
  private usedToday = 0;
  private usedDay = -1;

  constructor(o: SharedRateLimiterOptions) {
    this.clock = o.clock ?? systemClock;
    this.store = o.store;
    this.key = o.key;
    this.tpd = Math.max(1, Math.floor(o.tpd ?? 8640));
    this.rate = new AdaptiveRate(o);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // Idle as in the in-process limiter: nobody waiting here, nor a slot held or on its way.
    // Whether the credential is idle for every process, only the store knows.
    const idle = this.queue.length === 0 && this.slotTimer === null && !this.busy;
    const granted = this.queue.add(signal, () => this.onLeave());
    if (!signal?.aborted) this.next(idle);
    return granted;
  }

  onThrottle(retryAfterMs?: number | null): void {
    const now = this.clock.now();
    const pauseMs = retryAfterMs ?? this.rate.interval();
    this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs);
    this.rate.onThrottle(now);
    // Tell the other processes now; this process's next statement writes it again first (in
    // order, and in case this write fails), so a failure here only delays their knowing.
    this.store
      .pause(this.key, { pauseMs, intervalMs: this.rate.interval() })
      .catch(() => undefined);
  }

  onSuccess(): void {
    this.rate.onSuccess();
  }

  state(): RateLimiterState {
    const now = this.clock.now();
    return {
      configuredTps: this.rate.configuredTps,
      tps: this.rate.tps,
      burst: this.rate.burst,
      tpd: this.tpd,
      usedToday: Math.floor(now / DAY_MS) === this.usedDay ? this.usedToday : 0,
      queued: this.queue.length,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : null,
      throttles: this.rate.throttles,
    };
  }

  private pace(idle: boolean): Pace {
    const interval = this.rate.interval();
    return {
      intervalMs: interval,
      marginMs: this.rate.margin(),
      minGapMs: this.rate.minGap(),
      burst: spendableBurst(this.rate.burst),
      tpd: this.tpd,
      startMarginMs: idle ? startMargin(interval) : 0,
    };
  }

  /** Reserves a slot when someone waits and none is held or on its way. */
  private next(idle: boolean): void {
    if (this.queue.length === 0 || this.busy || this.slotTimer !== null) return;
    const now = this.clock.now();
    if (now < this.exhaustedUntil)
      return this.queue.rejectAll(dailyQuotaError(this.tpd, this.exhaustedUntil - now));
    this.step(async () => {
      await this.writePause();
      this.onReservation(await this.store.reserve(this.key, this.pace(idle)));
    });
  }

  /** Runs one store statement; a failure refuses every waiter (never send unpaced). */
  private step(statement: () => Promise<void>): void {
    this.busy = true;
    void statement()
      .catch((error: unknown) => this.queue.rejectAll(storeUnavailable(error)))
      .finally(() => {
        this.busy = false;
        this.next(false);
      });
  }

  /** A 429 of this process not yet known to the store goes first (idempotent: a max). */
  private async writePause(): Promise<void> {
    const pauseMs = this.pausedUntil - this.clock.now();
    if (pauseMs > 0)
      await this.store.pause(this.key, { pauseMs, intervalMs: this.rate.interval() });
  }

  private onReservation(r: SlotReservation): void {
    // Durations count from now, when the answer is here: late by the way back at worst.
    const now = this.clock.now();
    this.usedToday = r.usedToday;
    this.usedDay = Math.floor(now / DAY_MS);
    if (!r.granted) {
      this.exhaustedUntil = now + r.retryAfterMs;
      return this.queue.rejectAll(dailyQuotaError(this.tpd, r.retryAfterMs));
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + r.pausedForMs);
    // With every waiter gone meanwhile (aborted), the slot goes unused.
    if (r.grantedNow) this.grantNow();
    else if (this.queue.length > 0)
      this.slotTimer = this.clock.setTimer(() => {
        this.slotTimer = null;
        this.onSlot();
      }, r.delayMs);
  }

  /** The held slot has come: record its grant (and reserve the next), then let the first go. */
  private onSlot(): void {
    this.step(async () => {
      await this.writePause();
      const reserveNext = this.queue.length > 1;
      const g = await this.store.grant(this.key, { ...this.pace(false), reserveNext });
      if (g.waitMs <= 0) this.grantNow();
      else this.grantLater(g.waitMs);
      if (g.next) this.onReservation(g.next);
    });
  }

  /**
   * The previous grant was late or a pause began: the first waiter goes in `ms`. The store has
   * dated that grant already; when a stall holds the timer back a tenth of an interval or more
   * (`stalledSendMs`), the grant is dated again where it goes (a pause of 0 ms, exact for GCRA)
   * before it goes, so no grant after it is counted from its old time. Measured in
   * bench/provider-chain.bench.ts: such a grant, 45-60 ms late, followed by its burst partner
   * and the next slots at their old times, made 2 of 4 429s.
   */
  private grantLater(ms: number): void {
    let handle: unknown = null;
    const grant = this.queue.takeFirst(() => this.clock.clearTimer(handle));
    if (!grant) return;
    const at = this.clock.now() + ms;
    handle = this.clock.setTimer(() => {
      if (this.clock.now() - at < stalledSendMs(this.rate.interval())) return grant();
      void this.redate().then(grant);
    }, ms);
  }

  private grantNow(): void {
    if (this.queue.grantFirst()) this.watchSend(this.clock.now());
  }

  /**
   * On the event loop's next turn, after the granted request went: when a stall held it back,
   * every process counts it where it went — a pause of 0 ms, which puts both schedules at least
   * one interval after now (the bucket holds at most burst − 1 then), so the slots the stall
   * made late do not all join it. Written at once, not in turn with the statements: each is a
   * max, in any order.
   */
  private watchSend(grantedAt: number): void {
    this.clock.setTimer(() => {
      if (this.stalled(grantedAt)) void this.redate();
    }, 0);
  }

  /** Counts the last grant where it goes now, in every process: a pause of 0 ms (never throws). */
  private redate(): Promise<void> {
    return this.store
      .pause(this.key, { pauseMs: 0, intervalMs: this.rate.interval() })
      .catch(() => undefined);
  }

  /**
   * Whether a grant meant for `at` is late enough now to be dated again. Only from half an
   * interval late (not `stalledSendMs`): each correction is a statement, and it turns the next
   * grants into grants at a later time, which a process whose timers all fire late sends late
   * (test/amazon/shared-rate-limiter.test.ts).
   */
  private stalled(at: number): boolean {
    const interval = this.rate.interval();
    return this.clock.now() - at >= Math.max(stalledSendMs(interval), interval / 2);
  }

  /**
   * A waiter aborted. With nobody left, the held slot goes unused now rather than keep a timer
   * (and the process) alive until it comes: shutdown aborts every waiter.
   */
  private onLeave(): void {
    if (this.queue.length > 0 || this.slotTimer === null) return;
    this.clock.clearTimer(this.slotTimer);
    this.slotTimer = null;
  }
}

/** The store failed: refuse rather than send unpaced; the caller retries later. */
function storeUnavailable(cause: unknown): AmazonError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AmazonError(
    'network',
    `The shared rate limiter (table rate_limits in DATABASE_URL) is unavailable: ${detail}. No request was sent; it is retried once the database answers.`,
    { retryable: true, retryAfterMs: 1000, reason: 'RateLimitStoreUnavailable', cause },
  );
}
