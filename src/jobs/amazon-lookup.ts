import type { Kysely } from 'kysely';
import { createAmazonClient, type AmazonClient, type AmazonClientDeps } from '../amazon/client.js';
import { matchedOn } from '../amazon/product-functions.js';
import type { AmazonSettings } from '../amazon/provider.js';
import { createRateLimiter, type RateLimiter } from '../amazon/rate-limiter.js';
import { parseCode } from '../codes/index.js';
import type { DB } from '../db/schema.js';
import { decideMatch } from '../matching/decide-match.js';
import { listRulesForCodes } from '../matching/matching-rules-repository.js';
import type { LookupResult, LookupUnit, UnitLookup } from './unit-lookup.js';

/**
 * The worker's lookup through Amazon: search the code, then decide with the matching module and
 * the owner's rules. One client per marketplace; all of them share the credential's limiter, so
 * a multi-marketplace job never exceeds the credential's quota.
 */
export function createAmazonLookup(
  settings: AmazonSettings,
  db: Kysely<DB>,
  deps: AmazonClientDeps = {},
): UnitLookup & { limiter: RateLimiter } {
  const limiter =
    deps.limiter ?? createRateLimiter({ tps: settings.tps, burst: settings.burst, tpd: settings.tpd, clock: deps.clock });
  const clients = new Map<string, AmazonClient>();
  const clientFor = (marketplace: string): AmazonClient => {
    let client = clients.get(marketplace);
    if (!client) {
      client = createAmazonClient({ ...settings, marketplace }, { ...deps, limiter });
      clients.set(marketplace, client);
    }
    return client;
  };
  return {
    limiter,
    async lookup(unit: LookupUnit, signal: AbortSignal): Promise<LookupResult> {
      const parsed = parseCode(unit.code);
      if (!parsed.valid) throw Object.assign(new Error(parsed.message), { code: 'invalid_data', retryable: false });
      const client = clientFor(unit.marketplace);
      const outcomes = await client.searchByCodes([parsed.code], {
        signal,
        searchIndex: parsed.type.startsWith('ISBN') ? 'Books' : 'All',
        isMatch: (item, code) => matchedOn(code, item).length > 0,
      });
      const outcome = outcomes.get(parsed.code);
      if (!outcome) throw Object.assign(new Error('The provider gave no answer for this code.'), { code: 'unknown', retryable: true });
      if (outcome.status === 'error') throw outcome.error;
      const rules = await listRulesForCodes(db, unit.owner, unit.marketplace, [unit.gtin]);
      const decision = decideMatch({
        code: parsed,
        items: outcome.items,
        row: unit.context ?? undefined,
        rules,
        marketplace: unit.marketplace,
      });
      return {
        status: decision.asin ? 'found' : 'not_found',
        asin: decision.asin,
        match_type: decision.match_type,
        confidence: decision.confidence,
        reasons: decision.reasons,
        candidates: decision.candidates,
        product: decision.product,
        request_id: outcome.requestIds.at(-1) ?? null,
      };
    },
  };
}
