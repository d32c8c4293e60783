import type { StoredQuota } from './quota-recorder.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** One credential on the quota dashboard (`GET /api/v1/amazon/quotas`, `code2asin quota`). */
export interface QuotaEntry {
  provider: string;
  /** A name of the credential that is not a secret. */
  credential: string | null;
  /** The shared limiter's key (`provider:sha256`). */
  key: string;
  allowed: {
    requests_per_second: number;
    requests_per_day: number;
    /** Keepa: tokens added per minute (the plan); null for request-paced providers. */
    tokens_per_minute: number | null;
  };
  /** Requests granted: in the current minute, the last 60 minutes, since 00:00 UTC. */
  requests: { last_minute: number; last_hour: number; today: number };
  /** Tokens the answers said they cost (Keepa), same windows. */
  tokens: { last_minute: number; last_hour: number; today: number };
  /** 429 answers, same windows. */
  throttled: { last_minute: number; last_hour: number; today: number };
  remaining: {
    /** Requests left today under `requests_per_day` (every process of the database counted). */
    requests_today: number;
    /** Keepa: the balance now, from the last answer and the refills since; may be negative. */
    tokens_left: number | null;
  };
  /** The shared pause after a 429, when one is running. */
  paused_until: string | null;
  next_reset: {
    /** When the daily request count starts again (00:00 UTC). */
    requests: string;
    /** Keepa: the next token refill. */
    tokens: string | null;
  };
  /** Last time a process recorded figures for this credential. */
  updated_at: string;
}

/** The dashboard's view of the stored figures at `now`. */
export function quotaEntries(stored: StoredQuota[], now: number): QuotaEntry[] {
  const minute = Math.floor(now / MINUTE_MS);
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const today = Math.floor(now / DAY_MS);
  return stored.map(({ status: s, usage, shared }) => {
    const sum = (what: 'requests' | 'tokens' | 'throttles') => ({
      last_minute: total(
        usage.filter((u) => u.minute === minute),
        what,
      ),
      last_hour: total(
        usage.filter((u) => u.minute > minute - 60 && u.minute <= minute),
        what,
      ),
      today: total(
        usage.filter((u) => u.minute * MINUTE_MS >= dayStart),
        what,
      ),
    });
    const requests = sum('requests');
    const usedToday = Math.max(
      requests.today,
      shared && shared.day === today ? shared.dayCount : 0,
    );
    const refill = tokenRefill(s.tokens_left, s.refill_rate, s.refill_at_ms, now);
    return {
      provider: s.provider,
      credential: s.credential,
      key: s.key,
      allowed: {
        requests_per_second: s.tps,
        requests_per_day: s.tpd,
        tokens_per_minute: s.refill_rate,
      },
      requests,
      tokens: sum('tokens'),
      throttled: sum('throttles'),
      remaining: { requests_today: Math.max(0, s.tpd - usedToday), tokens_left: refill.left },
      paused_until:
        shared && shared.pausedUntilMs > now ? new Date(shared.pausedUntilMs).toISOString() : null,
      next_reset: {
        requests: new Date(dayStart + DAY_MS).toISOString(),
        tokens: refill.next === null ? null : new Date(refill.next).toISOString(),
      },
      updated_at: new Date(s.updated_ms).toISOString(),
    };
  });
}

function total(
  rows: { requests: number; tokens: number; throttles: number }[],
  what: 'requests' | 'tokens' | 'throttles',
): number {
  return rows.reduce((n, r) => n + r[what], 0);
}

/**
 * Keepa's balance now: the last reported one plus `rate` per minute since the refill it named,
 * an hour of refills at most (unused tokens expire after an hour), and the next refill.
 */
function tokenRefill(
  left: number | null,
  rate: number | null,
  refillAt: number | null,
  now: number,
): { left: number | null; next: number | null } {
  if (left === null || refillAt === null) return { left, next: null };
  if (now < refillAt) return { left, next: refillAt };
  const refills = Math.floor((now - refillAt) / MINUTE_MS) + 1;
  const r = rate ?? 0;
  return {
    left: Math.min(Math.max(left, r * 60), left + refills * r),
    next: refillAt + refills * MINUTE_MS,
  };
}
