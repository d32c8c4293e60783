import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCatalog } from '../../src/emulator/index.js';
import { rowFor, searchCatalog, summarize } from './accuracy-harness.js';
import { runProviderAccuracy } from './provider-accuracy-harness.js';

/**
 * The accuracy harness through the real SP-API client (20 codes per request over HTTP, items
 * joined back by GTIN-14) beside the Creators API answers of the same catalog: SP-API accepts no
 * wrong ASIN, and every code whose product lists it ends where the Creators API puts it.
 * Figures over larger catalogs: bench/provider-accuracy.bench.ts.
 */
const COUNT = 300;
const SEED = 7;

describe('matching accuracy through SP-API', () => {
  for (const rowContext of [false, true]) {
    const scenario = rowContext ? 'with the row title and brand' : 'codes only';
    it(`${scenario}: no wrong ASIN, id-listed codes as through the Creators API, ≥ 10 codes per request`, async () => {
      const spapi = await runProviderAccuracy('spapi', COUNT, SEED, rowContext);
      const report = summarize(spapi.outcomes);
      assert.equal(spapi.errors, 0);
      assert.ok(report.codes > 150, `${report.codes} codes`);
      assert.equal(report.wrongAccepted, 0, 'every accepted ASIN is the true one');
      assert.equal(report.noiseAccepted, 0);
      assert.ok(
        spapi.searches * 10 <= report.codes,
        `${spapi.searches} searches for ${report.codes} codes`,
      );

      // The Creators API's answers to the same codes (the emulator's own searchItems).
      const catalog = generateCatalog(COUNT, SEED);
      const creators = new Map(
        searchCatalog(catalog, SEED, (t, byAsin) => (rowContext ? rowFor(t, byAsin) : {})).map(
          (o) => [o.truth.code, o],
        ),
      );
      let compared = 0;
      for (const o of spapi.outcomes) {
        const c = creators.get(o.truth.code);
        // A code its product lists (an id match through the Creators API) is what SP-API finds.
        if (!c || !['exact', 'partial'].includes(c.decision.match_type) || !c.correct) continue;
        compared += 1;
        if (rowContext)
          assert.equal(o.decision.asin, o.truth.asin, `${o.truth.case} ${o.truth.code}`);
        else
          assert.ok(
            o.correct ||
              (o.decision.verdict === 'to_review' && o.decision.proposed_asin === o.truth.asin),
            `${o.truth.case} ${o.truth.code}: ${o.decision.verdict} ${o.decision.asin ?? o.decision.proposed_asin}`,
          );
      }
      assert.ok(compared > 100, `${compared} codes compared`);
      // Codes without a product stay without one.
      for (const o of spapi.outcomes.filter((x) => x.truth.asin === null))
        assert.equal(o.decision.asin, null, o.truth.code);
    });
  }
});
