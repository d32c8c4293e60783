/** Quota of one credential: a token bucket (TPS, burst) and a daily count (TPD). */
export interface QuotaSettings {
  tps: number;
  burst: number;
  tpd: number;
}

/** Outcome of asking for one request. */
export type QuotaDecision =
  { allowed: true } | { allowed: false; reason: 'tps' | 'tpd'; retryAfterSeconds: number };

interface BucketState {
  tokens: number;
  refilledAt: number;
  day: string;
  usedToday: number;
}

/**
 * Share of one token a request may arrive early by (GCRA's tolerance τ = 10 % of an interval).
 * It absorbs arrival jitter (a request that left on time but was scheduled a few ms late makes
 * the next gap shorter) without letting a client run faster than the rate: at 1 % over the rate
 * the deficit passes 10 % after ten requests and 429s follow. 5 % was measured too tight for the
 * emulator's own scheduling: a search computed while the next request arrived stamped it late. Amazon's own tolerance is not
 * documented (reference §7.1); with none, no real client on a real network could use a burst-1
 * quota fully.
 */
export const JITTER_TOLERANCE = 0.1;

/** Token buckets per credential key, refilled continuously at `tps`. */
export class QuotaTracker {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token for `key` if both the bucket and the daily count allow it. */
  take(key: string, q: QuotaSettings, at?: number): QuotaDecision {
    const t = at ?? this.now();
    const day = new Date(t).toISOString().slice(0, 10);
    let s = this.buckets.get(key);
    if (!s) {
      s = { tokens: q.burst, refilledAt: t, day, usedToday: 0 };
      this.buckets.set(key, s);
    }
    if (s.day !== day) Object.assign(s, { day, usedToday: 0 });
    s.tokens = Math.min(q.burst, s.tokens + ((t - s.refilledAt) / 1000) * q.tps);
    s.refilledAt = t;
    if (s.usedToday >= q.tpd) {
      const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      return { allowed: false, reason: 'tpd', retryAfterSeconds: Math.ceil((midnight - t) / 1000) };
    }
    if (s.tokens < 1 - JITTER_TOLERANCE) {
      const wait = Math.max(1, Math.ceil((1 - s.tokens) / q.tps));
      return { allowed: false, reason: 'tps', retryAfterSeconds: wait };
    }
    s.tokens -= 1;
    s.usedToday += 1;
    return { allowed: true };
  }

  /** Requests admitted today for a key. */
  usedToday(key: string): number {
    return this.buckets.get(key)?.usedToday ?? 0;
  }

  /** Forgets all buckets (full buckets, zero daily use). */
  reset(): void {
    this.buckets.clear();
  }
}
