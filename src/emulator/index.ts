import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type {
  CreatorsCredential,
  EmulatorCatalog,
  EmulatorCredential,
  KeepaCredential,
  PaapiCredential,
  SpapiCredential,
} from './catalog.js';
import { loadCatalogFile, validateCatalog } from './catalog.js';
import { indexCatalog } from './catalog-index.js';
import type { EmulatorBehaviour, EmulatorState } from './emulator-state.js';
import { STRICT_BEHAVIOUR } from './emulator-state.js';
import { creatorsEnv, keepaEnv, paapiEnv, spapiEnv } from './env.js';
import type { FaultSettings } from './faults.js';
import { defaultFaults } from './faults.js';
import { generateCatalog } from './generate-catalog.js';
import { KeepaTokenBuckets } from './keepa-tokens.js';
import { QuotaTracker } from './quota.js';
import { createRandom } from './random.js';
import { createEmulatorServer, statsOf } from './server.js';
import type { EmulatorStats } from './stats.js';
import { StatsRecorder } from './stats.js';
import { TokenStore } from './token-store.js';
import { SpapiTokenStore } from './spapi-token.js';

export type {
  CatalogBrowseNode,
  CatalogProduct,
  CreatorsCredential,
  EmulatorCatalog,
  EmulatorCredential,
  KeepaCredential,
  PaapiCredential,
  SpapiCredential,
  TruthEntry,
} from './catalog.js';
export { CatalogError, keepaStatsKey, loadCatalogFile, validateCatalog } from './catalog.js';
export type { KeepaKeyStats } from './keepa-tokens.js';
export type { FaultSettings } from './faults.js';
export type { EmulatorBehaviour } from './emulator-state.js';
export type { EmulatorStats, OperationStats, CredentialStats } from './stats.js';
export { formatEnv, mergeEnv } from './env.js';
export { generateCatalog };
export { withDemoProducts } from './with-demo-products.js';

/** Options of startEmulator; quota options override every credential's own quota. */
export interface EmulatorOptions {
  host?: string;
  /** 0 = a random free port. Default 8787. */
  port?: number;
  catalog?: EmulatorCatalog;
  generate?: { count: number; seed: number };
  tps?: number;
  burst?: number;
  tpd?: number;
  latencyMs?: number;
  faultRate?: number;
  /** Lifetime of issued access tokens (default 3600). */
  tokenTtlS?: number;
  /** Relaxations of the strict default (see `EmulatorBehaviour`); all off by default. */
  behaviour?: Partial<EmulatorBehaviour>;
  /**
   * The emulator's clock (epoch ms) for quota, token lifetimes, arrival stamps and stats.
   * Default `Date.now`; tests pass a manual one so that a verdict never depends on how fast the
   * machine answers.
   */
  now?: () => number;
}

/** A listening emulator and its controls. */
export interface RunningEmulator {
  /** `http://host:port`, the base URL of both protocols. */
  url: string;
  port: number;
  catalog: EmulatorCatalog;
  credentials: EmulatorCredential[];
  /** The strictness in force (all false = strict). */
  behaviour: Readonly<EmulatorBehaviour>;
  /** `AMAZON_*` variables pointing the service at the emulator. */
  env(
    kind?: 'creators' | 'paapi' | 'spapi' | 'keepa',
    credentialIndex?: number,
  ): Record<string, string>;
  /** Same as `GET /__emulator/stats`. */
  stats(): EmulatorStats;
  resetStats(): void;
  /** Invalidates every access token issued so far. */
  revokeTokens(): void;
  setFaults(f: Partial<FaultSettings>): void;
  close(): Promise<void>;
}

/** Path of the demo catalog served when no catalog is given. */
export const DEMO_CATALOG_PATH = fileURLToPath(
  new URL('../../examples/demo-catalog.json', import.meta.url),
);

function resolveCatalog(options: EmulatorOptions): EmulatorCatalog {
  if (options.catalog) return validateCatalog(options.catalog, '(options.catalog)');
  if (options.generate) return generateCatalog(options.generate.count, options.generate.seed);
  return loadCatalogFile(DEMO_CATALOG_PATH);
}

function createState(options: EmulatorOptions, catalog: EmulatorCatalog): EmulatorState {
  const faults = defaultFaults();
  if (options.faultRate !== undefined) faults.faultRate = options.faultRate;
  if (options.latencyMs !== undefined) faults.latencyMs = options.latencyMs;
  const quotaOverride: EmulatorState['quotaOverride'] = {};
  if (options.tps !== undefined) quotaOverride.tps = options.tps;
  if (options.burst !== undefined) quotaOverride.burst = options.burst;
  if (options.tpd !== undefined) quotaOverride.tpd = options.tpd;
  const now = options.now ?? Date.now;
  return {
    catalog,
    index: indexCatalog(catalog),
    now,
    tokens: new TokenStore(now),
    spapiTokens: new SpapiTokenStore(now),
    keepaTokens: new KeepaTokenBuckets(now),
    quota: new QuotaTracker(now),
    stats: new StatsRecorder(now),
    faults,
    rng: createRandom(options.generate?.seed ?? 1),
    tokenTtlS: options.tokenTtlS ?? 3600,
    behaviour: {
      lenientRequests: options.behaviour?.lenientRequests ?? STRICT_BEHAVIOUR.lenientRequests,
      throttleHints: options.behaviour?.throttleHints ?? STRICT_BEHAVIOUR.throttleHints,
      extraFields: options.behaviour?.extraFields ?? STRICT_BEHAVIOUR.extraFields,
    },
    quotaOverride,
  };
}

function pick<T extends EmulatorCredential>(
  list: EmulatorCredential[],
  kind: T['kind'],
  i: number,
): T {
  const found = list.filter((c) => c.kind === kind)[i];
  if (!found) throw new Error(`The emulator catalog has no ${kind} credential #${i}.`);
  return found as T;
}

function pickKeepa(catalog: EmulatorCatalog, i: number): KeepaCredential {
  const found = catalog.keepaKeys?.[i];
  if (!found) throw new Error(`The emulator catalog has no Keepa key #${i} (keepaKeys).`);
  return found;
}

/** Starts the emulator: one HTTP server speaking the Creators API and PA-API 5.0. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const catalog = resolveCatalog(options);
  const state = createState(options, catalog);
  const server = createEmulatorServer(state);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    catalog,
    credentials: catalog.credentials,
    behaviour: { ...state.behaviour },
    env: (kind = 'creators', i = 0) =>
      kind === 'keepa'
        ? keepaEnv(url, catalog, pickKeepa(catalog, i))
        : kind === 'creators'
          ? creatorsEnv(url, catalog, pick<CreatorsCredential>(catalog.credentials, 'creators', i))
          : kind === 'spapi'
            ? spapiEnv(url, catalog, pick<SpapiCredential>(catalog.credentials, 'spapi', i))
            : paapiEnv(url, catalog, pick<PaapiCredential>(catalog.credentials, 'paapi', i)),
    stats: () => statsOf(state),
    resetStats: () => state.stats.reset(),
    revokeTokens: () => {
      state.tokens.revokeAll();
      state.spapiTokens.revokeAll();
    },
    setFaults: (f) => Object.assign(state.faults, f),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
