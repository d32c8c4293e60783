import type { RateLimiter } from './rate-limiter.js';

/** A credential as the quota dashboard names it (never a secret). */
export interface QuotaCredential {
  /** The shared limiter's key: `provider:sha256(credential)`. */
  key: string;
  provider: string;
  /** Credential id, access key, or the last characters of a secret key (`…abcd`). */
  credential: string | null;
  /** The request pace configured for it. */
  tps: number;
  tpd: number;
}

/** A token status a provider reported (Keepa's answers). */
export interface QuotaTokenStatus {
  tokensLeft: number;
  refillRate: number;
  refillInMs: number;
  /** Tokens the answer cost. */
  tokensConsumed: number;
  /** The provider's clock when it answered (epoch ms), null when the answer did not say. */
  observedAtMs: number | null;
}

/**
 * Whether a token status reported now says more about the balance than the one already held.
 * Answers to concurrent requests arrive in any order, and each process sees only its own: the
 * balance is the one of the latest answer by the provider's clock, and of two answers stamped
 * the same millisecond the lower one (tokens are only taken between refills), never simply the
 * last to arrive. An answer without a stamp is taken as it comes.
 */
export function supersedesTokenStatus(
  next: Pick<QuotaTokenStatus, 'tokensLeft' | 'observedAtMs'>,
  held: Pick<QuotaTokenStatus, 'tokensLeft' | 'observedAtMs'> | null,
): boolean {
  if (held === null || next.observedAtMs === null || held.observedAtMs === null) return true;
  if (next.observedAtMs !== held.observedAtMs) return next.observedAtMs > held.observedAtMs;
  return next.tokensLeft <= held.tokensLeft;
}

/** Where request, 429 and token figures go (the database's `quota_usage` / `quota_status`). */
export interface QuotaRecorder {
  request(c: QuotaCredential): void;
  throttle(c: QuotaCredential): void;
  tokens(c: QuotaCredential, status: QuotaTokenStatus): void;
  /** Writes what is buffered. */
  flush(): Promise<void>;
}

/**
 * The limiter, recording each grant and each 429 it is told of; a token budget on top of it
 * (Keepa) reports its answers' token status through `recordTokens`. Recording never delays nor
 * fails a grant: the recorder buffers and writes on its own.
 */
export function withQuotaRecording(
  limiter: RateLimiter,
  recorder: QuotaRecorder,
  credential: QuotaCredential,
): RateLimiter {
  return {
    async acquire(signal) {
      await limiter.acquire(signal);
      recorder.request(credential);
    },
    onThrottle(retryAfterMs) {
      recorder.throttle(credential);
      limiter.onThrottle(retryAfterMs);
    },
    onSuccess: () => limiter.onSuccess(),
    state: () => limiter.state(),
    recordThrottle: () => recorder.throttle(credential),
    recordTokens: (status) => recorder.tokens(credential, status),
  };
}

/** The stored figures of one credential (`src/db/quota-store.ts`); the dashboard's input. */
export interface StoredQuota {
  status: {
    key: string;
    provider: string;
    credential: string | null;
    tps: number;
    tpd: number;
    tokens_left: number | null;
    refill_rate: number | null;
    refill_at_ms: number | null;
    observed_ms: number | null;
    updated_ms: number;
  };
  /** Per minute (epoch minute) of the last day and more. */
  usage: { minute: number; requests: number; throttles: number; tokens: number }[];
  /** The shared limiter's row (`rate_limits`), when this credential is shared. */
  shared: { day: number; dayCount: number; pausedUntilMs: number } | null;
}
