import type { EmulatorCatalog, EmulatorCredential } from './catalog.js';
import type { CatalogIndex } from './catalog-index.js';
import type { FaultSettings } from './faults.js';
import type { KeepaTokenBuckets } from './keepa-tokens.js';
import type { QuotaSettings, QuotaTracker } from './quota.js';
import type { Random } from './random.js';
import type { SpapiTokenStore } from './spapi-token.js';
import type { StatsRecorder } from './stats.js';
import type { TokenStore } from './token-store.js';

/**
 * How strict and how helpful the emulator is where Amazon's behaviour is unknown. The default
 * (all false) is the strict one: a client that works against it should work against Amazon.
 */
export interface EmulatorBehaviour {
  /** Ignore Creators body fields the SDK models do not define, instead of a 400. */
  lenientRequests: boolean;
  /** Creators 429s also carry `retryAfterSeconds` and `Retry-After` (not in the SDK model). */
  throttleHints: boolean;
  /**
   * Creators responses also carry fields the SDK models lack: `isRoot` on browse-node
   * ancestors, `variationSummary.price`.
   */
  extraFields: boolean;
}

/** The strict default behaviour. */
export const STRICT_BEHAVIOUR: EmulatorBehaviour = Object.freeze({
  lenientRequests: false,
  throttleHints: false,
  extraFields: false,
});

/** Everything a running emulator holds; handlers read and update it. */
export interface EmulatorState {
  catalog: EmulatorCatalog;
  index: CatalogIndex;
  /** The emulator's clock (epoch ms): `Date.now` unless a test passes its own. */
  now: () => number;
  tokens: TokenStore;
  /** Access tokens issued to SP-API apps (refresh-token grant). */
  spapiTokens: SpapiTokenStore;
  /** Keepa's token bucket of each key. */
  keepaTokens: KeepaTokenBuckets;
  quota: QuotaTracker;
  stats: StatsRecorder;
  faults: FaultSettings;
  rng: Random;
  tokenTtlS: number;
  behaviour: EmulatorBehaviour;
  /** Quota given as options; they win over the credentials' own quota. */
  quotaOverride: Partial<QuotaSettings>;
  /**
   * Arrival time of the request being admitted (set while its synchronous handler runs). The
   * quota and the stats use it, as Amazon's limiter stamps a request when it arrives, not after
   * the body was read and checked.
   */
  arrivedAt?: number;
}

/** Default quota: 1 TPS, burst 1, 8640 per day (PA-API's starting quota, reference §2.7). */
export const DEFAULT_QUOTA: QuotaSettings = { tps: 1, burst: 1, tpd: 8640 };

/** The quota that applies to a credential. */
export function quotaOf(state: EmulatorState, c: EmulatorCredential): QuotaSettings {
  return {
    tps: state.quotaOverride.tps ?? c.quota?.tps ?? DEFAULT_QUOTA.tps,
    burst: state.quotaOverride.burst ?? c.quota?.burst ?? DEFAULT_QUOTA.burst,
    tpd: state.quotaOverride.tpd ?? c.quota?.tpd ?? DEFAULT_QUOTA.tpd,
  };
}
