import type { Kysely } from 'kysely';
import { createAmazonClients, type AmazonClients } from '../amazon/amazon-clients.js';
import type { AmazonClient, AmazonClientDeps } from '../amazon/client.js';
import type { AmazonSettings } from '../amazon/provider.js';
import { AmazonError } from '../amazon/errors.js';
import { amazonReadiness, AmazonNotReadyError, type AmazonSource } from '../amazon/readiness.js';
import { parseCode } from '../codes/index.js';
import type { DB } from '../db/schema.js';
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
  const clientFor = async (marketplace: string): Promise<AmazonClient> => {
    const s = await current();
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
  return {
    readiness: async () => amazonReadiness(await current(), source),
    async lookup(unit: LookupUnit, signal: AbortSignal): Promise<LookupResult> {
      const parsed = parseCode(unit.code);
      if (!parsed.valid)
        throw Object.assign(new Error(parsed.message), { code: 'invalid_data', retryable: false });
      const client = await clientFor(unit.marketplace);
      const rules = await listRulesForCodes(db, unit.owner, unit.marketplace, [unit.gtin]);
      const decision = await client.searchAmazonByEan(parsed.code, {
        signal,
        row: unit.context ?? undefined,
        rules,
        acceptThreshold,
      });
      return {
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
    },
  };
}
