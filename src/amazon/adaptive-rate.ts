import { AmazonError } from './errors.js';

export interface AdaptiveRateOptions {
  /** Requests per second (default 1). */
  tps?: number;
  /** Requests allowed at once after an idle period (default 1). */
  burst?: number;
  /** Lowest rate the 429 back-off may reach (default tps / 20). */
  minTps?: number;
}

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
 * counted from this much after the first one. Once per burst, not per request. Half an interval,
 * at least 50 ms (that delay does not shrink with the interval: at 25 requests/s, 20 ms was
 * measured too short for a first request through a new connection), at most 100 ms.
 */
export function startMargin(intervalMs: number): number {
  return Math.min(100, Math.max(50, intervalMs / 2));
}

/**
 * A granted request leaves in the microtasks right after its grant. When the event loop is
 * blocked before it goes (a long synchronous statement, a garbage collection), it reaches the
 * server late: a server bucket that filled up meanwhile lost the credit of the wait, and the
 * slots after it, taken at once to catch up, arrive together with it (measured: the worker of
 * bench/provider-chain.bench.ts stalled 30-480 ms a few times a second, and 429s followed the
 * stalls). A check on the event loop's next turn sees how late the request went; from this much
 * on (a tenth of an interval) the limiter counts it where it went: GCRA's theoretical arrival
 * time becomes at least then plus one interval, which is exact (it changes nothing unless the
 * bucket would have filled up during the wait), so the threshold only saves work.
 */
export function stalledSendMs(intervalMs: number): number {
  return intervalMs / 10;
}

/**
 * The burst a limiter spends: the server's less half a request when it is above 1. A limiter
 * that spends the server's bucket to the last token leaves no room for a request that reaches the
 * server late while the next one is on time (a process stalled between its send and the socket
 * write, the network): the later one finds the bucket empty. Measured with send and arrival
 * timestamps of each request (bench/provider-chain.bench.ts, Creators at 25/s burst 2): after
 * stalls of 30-60 ms a request left or arrived 5-28 ms late and the next, on time, was refused;
 * 0 x 429 in three runs with this reserve, 2 in each of three without. It costs only when the
 * burst is spent: after idle or a stall the second request of a burst of 2 waits half an
 * interval; a steady pace uses none of it.
 */
export function spendableBurst(burst: number): number {
  return burst > 1 ? burst - 0.5 : 1;
}

/**
 * The pace of one credential as this process learnt it from 429s: rate and burst (additive
 * increase, multiplicative decrease) and the jitter margin. Both limiters (in-process and
 * shared) keep one; a shared limiter shares the pause, not this.
 */
export class AdaptiveRate {
  readonly configuredTps: number;
  readonly configuredBurst: number;
  private readonly minTps: number;
  tps: number;
  burst: number;
  throttles = 0;
  /** Ceiling learnt from the last 429: the rate climbs fast up to 90 % of it, slowly beyond. */
  private ceiling = Infinity;
  private lastDecrease = -Infinity;
  /** Requests answered without a 429 since the last one (Infinity before the first). */
  private sinceThrottle = Infinity;
  /** Extra margin per interval learnt from isolated 429s (burst 1 only). */
  private jitterMs = 0;

  constructor(o: AdaptiveRateOptions) {
    this.configuredTps = positive(o.tps ?? 1, 'tps');
    this.configuredBurst = Math.max(1, Math.floor(o.burst ?? 1));
    this.minTps = o.minTps ?? this.configuredTps / 20;
    this.tps = this.configuredTps;
    this.burst = this.configuredBurst;
  }

  /** Time between two slots: 1/tps plus the jitter margins. */
  interval(): number {
    const base = 1000 / this.tps;
    return base + intervalMargin(base, this.burst) + (this.burst === 1 ? this.jitterMs : 0);
  }

  /**
   * The interval at the configured rate and burst, whatever 429s taught this process: the grid
   * processes share (`share-limiter.ts`) is the credential's, each process slows down on its own.
   */
  configuredInterval(): number {
    const base = 1000 / this.configuredTps;
    return base + intervalMargin(base, this.configuredBurst);
  }

  /** The margin part of `interval()`. */
  margin(): number {
    return this.interval() - 1000 / this.tps;
  }

  /**
   * The least time from any grant to the next (a shared limiter's check of the previous grant,
   * whichever process made it): 1/tps plus the jitter margin learnt from this process's 429s,
   * so a process refused for arriving too close after another's request widens that gap.
   */
  minGap(): number {
    return 1000 / this.tps + (this.burst === 1 ? this.jitterMs : 0);
  }

  /** A 429 came back at `now`: widen the margin or lower the rate. */
  onThrottle(now: number): void {
    this.throttles += 1;
    const isolated = this.sinceThrottle >= ISOLATED_AFTER && this.tps >= this.configuredTps;
    this.sinceThrottle = 0;
    const base = 1000 / this.tps;
    if (isolated && this.configuredBurst === 1 && this.jitterMs < MAX_JITTER_SHARE * base) {
      // With burst 1 a lone 429 at full rate is most likely two requests reaching the server
      // closer than their slots (jitter): widen the margin instead of halving the rate. A lower
      // quota shows itself by a second 429 soon after, which halves the rate below.
      this.jitterMs = Math.min(MAX_JITTER_SHARE * base, this.jitterMs * 2 + 2);
    } else if (now - this.lastDecrease >= Math.max(1000, 2 * this.interval())) {
      // Requests already in flight when the first 429 came back will be throttled too: decrease
      // once per window, or a single overload would collapse the rate to the minimum.
      this.lastDecrease = now;
      this.ceiling = this.tps;
      this.tps = Math.max(this.minTps, this.tps * DECREASE);
      this.burst = 1;
    }
  }

  /** A request went through: the rate may slowly climb back. */
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
}

/** The refusal of every request once the day's quota is spent. */
export function dailyQuotaError(tpd: number, retryAfterMs: number): AmazonError {
  return new AmazonError(
    'api_rate_limit',
    `The daily quota of ${tpd} requests is used up; requests resume at midnight UTC. Raise AMAZON_TPD only if Amazon granted more.`,
    { retryable: true, retryAfterMs: Math.ceil(retryAfterMs), reason: 'DailyQuotaExceeded' },
  );
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v))
    throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}
