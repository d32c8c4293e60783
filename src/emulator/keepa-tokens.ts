import type { KeepaCredential } from './catalog.js';
import { keepaStatsKey } from './catalog.js';

const MINUTE_MS = 60_000;
/** Default plan of a key that names none: 20 tokens per minute (Keepa's smallest plan). */
export const DEFAULT_KEEPA_REFILL_RATE = 20;

/** The token status fields every Keepa answer carries (reference §4). */
export interface KeepaTokenFields {
  tokensLeft: number;
  refillIn: number;
  refillRate: number;
}

/** What the emulator's stats say of one key. */
export interface KeepaKeyStats extends KeepaTokenFields {
  tokensConsumed: number;
  /** Requests refused with 429 (not enough tokens). */
  refused: number;
}

interface Bucket {
  tokens: number;
  rate: number;
  /** Refills happen at anchor + k minutes; `refills` of them are counted in `tokens`. */
  anchor: number;
  refills: number;
  consumed: number;
  refused: number;
}

/**
 * One token bucket per Keepa key, on the emulator's clock: `refillRate` tokens every minute
 * (counted from the key's first use), at most an hour of them kept (unused tokens expire after an
 * hour), and a request admitted while the balance is above 0 even when it costs more (the balance
 * goes negative, as Keepa allows).
 */
export class KeepaTokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /** The key's status now. */
  status(c: KeepaCredential): KeepaTokenFields {
    const b = this.bucket(c);
    return {
      tokensLeft: b.tokens,
      refillIn: Math.max(0, b.anchor + (b.refills + 1) * MINUTE_MS - this.now()),
      refillRate: b.rate,
    };
  }

  /** Whether a request may be served now (balance above 0). */
  admits(c: KeepaCredential): boolean {
    const b = this.bucket(c);
    if (b.tokens > 0) return true;
    b.refused += 1;
    return false;
  }

  spend(c: KeepaCredential, cost: number): void {
    const b = this.bucket(c);
    b.tokens -= cost;
    b.consumed += cost;
  }

  /** Stats per key (named by `keepaStatsKey`, never by the key). */
  snapshot(): Record<string, KeepaKeyStats> {
    const out: Record<string, KeepaKeyStats> = {};
    for (const [key, b] of this.buckets) {
      this.refill(b);
      out[keepaStatsKey(key)] = {
        tokensLeft: b.tokens,
        refillIn: Math.max(0, b.anchor + (b.refills + 1) * MINUTE_MS - this.now()),
        refillRate: b.rate,
        tokensConsumed: b.consumed,
        refused: b.refused,
      };
    }
    return out;
  }

  private bucket(c: KeepaCredential): Bucket {
    let b = this.buckets.get(c.key);
    if (!b) {
      const rate = c.refillRate ?? DEFAULT_KEEPA_REFILL_RATE;
      b = {
        tokens: c.tokens ?? rate * 60,
        rate,
        anchor: this.now(),
        refills: 0,
        consumed: 0,
        refused: 0,
      };
      this.buckets.set(c.key, b);
    }
    this.refill(b);
    return b;
  }

  private refill(b: Bucket): void {
    const due = Math.floor((this.now() - b.anchor) / MINUTE_MS);
    if (due <= b.refills) return;
    const cap = b.rate * 60;
    b.tokens = Math.min(Math.max(b.tokens, cap), b.tokens + (due - b.refills) * b.rate);
    b.refills = due;
  }
}
