import { createAmazonClient } from '../../src/amazon/client.js';
import { searchAmazonByEans, type EanSearchRequest } from '../../src/amazon/product-functions.js';
import { parseCode } from '../../src/codes/index.js';
import { loadConfig } from '../../src/config/env.js';
import type { CatalogProduct, TruthEntry } from '../../src/emulator/index.js';
import { generateCatalog, startEmulator } from '../../src/emulator/index.js';
import { hasEvidence, listsGtin, rowFor, type Outcome } from './accuracy-harness.js';

export type HarnessProvider = 'creators' | 'spapi';

/** One provider's run over one generated catalog. */
export interface ProviderAccuracy {
  outcomes: Outcome[];
  /** Search requests the emulator answered for it (a 429 would be counted apart: none here). */
  searches: number;
  /** Codes whose lookup failed (an error, not a decision): expected none. */
  errors: number;
}

/**
 * The accuracy harness through a real provider: every truth code of `generateCatalog(count, seed)`
 * goes through the provider's client over HTTP to the emulator (which serves that catalog) and
 * `searchAmazonByEans`, the function the worker's lookups use: Creators API one keyword search per
 * code (page 2 while no item lists the code), SP-API 20 codes of one type per
 * `searchCatalogItems` joined back by GTIN-14. Then each code is decided by `decideMatch` on what
 * its provider returned. With `rowContext`, rows carry a supplier title and brand (`rowFor`).
 */
export async function runProviderAccuracy(
  provider: HarnessProvider,
  count: number,
  seed: number,
  rowContext: boolean,
): Promise<ProviderAccuracy> {
  const catalog = generateCatalog(count, seed);
  const emu = await startEmulator({
    port: 0,
    catalog,
    tps: 10_000,
    burst: 10_000,
    tpd: 100_000_000,
    latencyMs: 0,
  });
  try {
    const settings = loadConfig({
      ...emu.env(provider),
      AMAZON_TPS: '10000',
      AMAZON_BURST: '10000',
      AMAZON_TPD: '100000000',
    }).amazon;
    const client = createAmazonClient(settings);
    const products = catalog.marketplaces['www.amazon.fr']?.products ?? [];
    const byAsin = new Map<string, CatalogProduct>(products.map((p) => [p.asin, p]));
    const truths = (catalog.truth ?? []).filter((t) => parseCode(t.code).valid);
    const requests: EanSearchRequest[] = truths.map((t) => ({
      code: t.code,
      row: rowContext ? rowFor(t, byAsin) : {},
    }));
    const answers = await searchAmazonByEans(client, requests);
    const outcomes: Outcome[] = [];
    let errors = 0;
    answers.forEach((answer, i) => {
      const truth = truths[i] as TruthEntry;
      if (!answer.ok) {
        errors += 1;
        return;
      }
      const { result } = answer;
      const row = requests[i]?.row ?? {};
      const listing = result.items.find((item) => listsGtin(item, result.gtin14));
      outcomes.push({
        truth,
        decision: result,
        correct: result.asin === truth.asin,
        evidence: hasEvidence(truth, result.items, row),
        baselines: {
          first_hit: result.items[0]?.asin ?? null,
          first_listing: listing?.asin ?? null,
        },
      });
    });
    let searches = 0;
    for (const cred of Object.values(emu.stats().credentials))
      for (const [op, s] of Object.entries(cred.operations))
        if (/^search/.test(op)) searches += s.requests - s.status['429'];
    return { outcomes, searches, errors };
  } finally {
    await emu.close();
  }
}

/** Share of the decisions that name an ASIN (found) and name the true one. */
export function foundPrecision(outcomes: readonly Outcome[]): { found: number; right: number } {
  const found = outcomes.filter((o) => o.decision.asin !== null);
  return { found: found.length, right: found.filter((o) => o.correct).length };
}

/** Codes left for a person to decide (`verdict: to_review`). */
export function toReview(outcomes: readonly Outcome[]): number {
  return outcomes.filter((o) => o.decision.verdict === 'to_review').length;
}
