import type { Kysely } from 'kysely';
import { createAmazonClients, type AmazonClients } from '../amazon/amazon-clients.js';
import type { AmazonClient, AmazonClientDeps } from '../amazon/client.js';
import { matchedOn } from '../amazon/product-functions.js';
import type { AmazonSettings } from '../amazon/provider.js';
import { AmazonError } from '../amazon/errors.js';
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
  settings: AmazonSettings | (() => AmazonSettings | Promise<AmazonSettings>),
  db: Kysely<DB>,
  deps: Omit<AmazonClientDeps, 'limiter'> & { clients?: AmazonClients } = {},
): UnitLookup {
  // The process-wide clients when given (shared with the HTTP routes); else this lookup's own.
  // Either way one client per settings and marketplace, one limiter per credential, and new
  // settings (PUT /config) give new clients.
  const { clients: shared, ...clientDeps } = deps;
  const clients = shared ?? createAmazonClients({ clientDeps });
  const clientFor = async (marketplace: string): Promise<AmazonClient> => {
    const s = typeof settings === 'function' ? await settings() : settings;
    if (s.enabled === false) {
      throw new AmazonError(
        'auth',
        'Amazon API access is off (AMAZON_PAAPI_ENABLED=false): set it to true to look codes up.',
        { reason: 'Disabled' },
      );
    }
    return clients.clientFor({ ...s, marketplace });
  };
  return {
    async lookup(unit: LookupUnit, signal: AbortSignal): Promise<LookupResult> {
      const parsed = parseCode(unit.code);
      if (!parsed.valid)
        throw Object.assign(new Error(parsed.message), { code: 'invalid_data', retryable: false });
      const client = await clientFor(unit.marketplace);
      const outcomes = await client.searchByCodes([parsed.code], {
        signal,
        searchIndex: parsed.type.startsWith('ISBN') ? 'Books' : 'All',
        isMatch: (item, code) => matchedOn(code, item).length > 0,
      });
      const outcome = outcomes.get(parsed.code);
      if (!outcome)
        throw Object.assign(new Error('The provider gave no answer for this code.'), {
          code: 'unknown',
          retryable: true,
        });
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
