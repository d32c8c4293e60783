import type { Kysely } from 'kysely';
import { createAmazonClients, type AmazonClients } from '../amazon/amazon-clients.js';
import type { AmazonClient, AmazonClientDeps } from '../amazon/client.js';
import type { AmazonSettings } from '../amazon/provider.js';
import { AmazonError } from '../amazon/errors.js';
import { searchGroupOf } from '../amazon/product-functions.js';
import { amazonReadiness, AmazonNotReadyError, type AmazonSource } from '../amazon/readiness.js';
import { parseCode } from '../codes/index.js';
import type { DB } from '../db/schema.js';
import { listRulesForCodes, type MatchingRule } from '../matching/index.js';
import { PROVIDER_RATE_DEFAULTS, type ProviderName } from '../config/provider-names.js';
import {
  ONE_PER_REQUEST,
  type EnrichRequest,
  type LookupBatching,
  type ProviderInfo,
  type LookupResult,
  type LookupUnit,
  type UnitLookup,
  type UnitOutcome,
} from './unit-lookup.js';

/**
 * The worker's lookup through Amazon: search the code, then decide with the matching module and
 * the owner's rules. One client per marketplace; all of them share the credential's limiter, so
 * a multi-marketplace job never exceeds the credential's quota.
 */
export function createAmazonLookup(
  settings: AmazonSettings | (() => AmazonSettings | Promise<AmazonSettings>),
  db: Kysely<DB>,
  deps: Omit<AmazonClientDeps, 'limiter'> & {
    clients?: AmazonClients;
    /** `CODE2ASIN_ACCEPT_THRESHOLD`; the matching module's default when absent. */
    acceptThreshold?: number;
    /** What the settings point at (`CODE2ASIN_AMAZON_SOURCE`), for readiness and results. */
    source?: AmazonSource;
  } = {},
): UnitLookup {
  // The process-wide clients when given (shared with the HTTP routes); else this lookup's own.
  // Either way one client per settings and marketplace, one limiter per credential, and new
  // settings (PUT /config) give new clients.
  const { clients: shared, acceptThreshold, source = 'amazon', ...clientDeps } = deps;
  const clients = shared ?? createAmazonClients({ clientDeps });
  const current = async () => (typeof settings === 'function' ? await settings() : settings);
  const clientFor = async (marketplace: string, provider?: ProviderName): Promise<AmazonClient> => {
    const s = settingsOfProvider(await current(), provider);
    // Incomplete settings are caught here, before any request: the job waits for them instead
    // of being told that Amazon refused credentials it never saw.
    const readiness = amazonReadiness({ ...s, marketplace }, source);
    if (s.enabled !== false && !readiness.ready) throw new AmazonNotReadyError(readiness.missing);
    if (s.enabled === false) {
      throw new AmazonError(
        'auth',
        'Amazon API access is off (AMAZON_PAAPI_ENABLED=false): set it to true to look codes up.',
        { reason: 'Disabled' },
      );
    }
    return clients.clientFor({ ...s, marketplace });
  };
  async function batching(marketplace?: string, provider?: ProviderName): Promise<LookupBatching> {
    // Unusable settings: the lookup itself will say why; one unit per request meanwhile.
    const s = await current().catch(() => null);
    const client = s
      ? await clientFor(marketplace ?? s.marketplace, provider).catch(() => null)
      : null;
    if (!client) return ONE_PER_REQUEST;
    const pace = client.limiter.state();
    return {
      maxCodesPerCall: client.maxCodesPerCall,
      // A worker batch is exactly one `searchByCodes` call: the codes that may share a request.
      // Keepa looks an ISBN and an EAN up in one request (split by search index, a file's ISBNs,
      // 9 % of it, waited for Keepa requests of their own).
      batchKeyOf: (code) => searchGroupOf(client, parseCode(code)),
      requestsPerSecond: pace.configuredTps,
      maxItemsPerCall: client.maxItemsPerCall,
      latencyMs: pace.latencyMs ?? undefined,
      sharers: pace.sharers,
    };
  }
  return {
    readiness: async () => amazonReadiness(await current(), source),
    batching,
    async providerInfo(provider: ProviderName): Promise<ProviderInfo> {
      const s = settingsOfProvider(await current(), provider);
      const r = amazonReadiness(s, source);
      const b = await batching(s.marketplace, provider);
      const { batchKeyOf: _key, ...shape } = b;
      return { provider, ready: r.ready, missing: r.missing.map((m) => m.variable), shape };
    },
    async enrichMany(request: EnrichRequest, signal: AbortSignal) {
      const client = await clientFor(request.marketplace, request.provider);
      const answer = await client.getItems([...request.asins], { signal });
      return answer.items;
    },
    async lookupMany(units: readonly LookupUnit[], signal: AbortSignal): Promise<UnitOutcome[]> {
      const marketplace = units[0]?.marketplace;
      if (marketplace === undefined) return [];
      if (units.some((u) => u.marketplace !== marketplace))
        throw new Error('lookupMany takes the units of one marketplace');
      const client = await clientFor(marketplace, units[0]?.provider);
      const rules = await rulesOf(db, marketplace, units);
      const decisions = await client.searchAmazonByEans(
        units.map((unit, i) => ({
          code: unit.code,
          row: unit.context ?? undefined,
          rules: rules[i],
        })),
        { signal, acceptThreshold },
      );
      return decisions.map((d): UnitOutcome => {
        if (!d.ok) return { ok: false, error: d.error };
        const decision = d.result;
        const result: LookupResult = {
          status: decision.asin ? 'found' : decision.proposed_asin ? 'to_review' : 'not_found',
          asin: decision.asin,
          proposed_asin: decision.proposed_asin,
          match_type: decision.match_type,
          confidence: decision.confidence,
          reasons: decision.reasons,
          candidates: decision.candidates,
          product: decision.product,
          request_id: decision.request_ids.at(-1) ?? null,
          provider: client.name,
        };
        return { ok: true, result };
      });
    },
  };
}

/** Each unit's rules (its owner's, for its code), read in one query per owner. */
async function rulesOf(
  db: Kysely<DB>,
  marketplace: string,
  units: readonly LookupUnit[],
): Promise<MatchingRule[][]> {
  const byOwner = new Map<string, MatchingRule[]>();
  for (const owner of new Set(units.map((u) => u.owner))) {
    const gtins = units.filter((u) => u.owner === owner).map((u) => u.gtin);
    byOwner.set(owner, await listRulesForCodes(db, owner, marketplace, gtins));
  }
  return units.map((u) => (byOwner.get(u.owner) ?? []).filter((r) => r.gtin === u.gtin));
}

/**
 * The settings with another provider of a job's chain in place of the configured one: the same
 * credentials (every provider's are in the settings) at that provider's published pace, as
 * AMAZON_TPS / AMAZON_BURST pace the configured provider only (AMAZON_CHAIN_TPS overrides it).
 */
export function settingsOfProvider(s: AmazonSettings, provider?: ProviderName): AmazonSettings {
  if (!provider || provider === s.provider) return s;
  const rate = s.chainRates?.[provider] ?? PROVIDER_RATE_DEFAULTS[provider] ?? { tps: 1, burst: 1 };
  return { ...s, provider, tps: rate.tps, burst: rate.burst };
}
