import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AmazonError } from '../../src/amazon/errors.js';
import { parseCode } from '../../src/codes/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import {
  clientFor,
  productsOf,
  startTestEmulator,
  statsOf,
  truthOf,
  type Kind,
} from './emulator-setup.js';

/**
 * What only the keyword-search providers do (Creators API, PA-API): noise in answers, codes in
 * titles, eligibility, getItems partial errors, variations pages. The contract shared by all four
 * providers is conformance.test.ts.
 */
for (const kind of ['creators', 'paapi'] as const satisfies Kind[]) {
  describe(`keyword-search conformance: ${kind}`, () => {
    let emu: RunningEmulator;
    before(async () => {
      emu = await startTestEmulator();
    });
    after(() => emu.close());

    it('searchAmazonByEan decides with decideMatch: the listed item through equivalent code forms', async () => {
      const client = clientFor(emu, kind);
      for (const kase of [
        'exact_unique',
        'upc_listing',
        'isbn13_listing',
        'isbn10_listing',
        'many_hits',
        'noisy_search',
      ]) {
        for (const t of truthOf(emu, kase).slice(0, 2)) {
          const r = await client.searchAmazonByEan(t.code);
          assert.equal(r.asin, t.asin, `${kase} ${t.code}`);
          assert.ok(r.found && r.product?.asin === t.asin);
          assert.ok(['exact', 'partial'].includes(r.match_type), `${kase}: ${r.match_type}`);
          assert.ok(r.confidence >= 0.7 && r.confidence < 1, `${kase}: ${r.confidence}`);
          assert.ok(
            r.reasons.some((x) => /_in_external_ids|_equivalent/.test(x)),
            r.reasons.join(),
          );
          assert.equal(r.candidates[0]?.asin, t.asin);
          assert.equal(r.candidates[0]?.rank, 1);
          assert.ok(r.request_ids.length >= 1);
          assert.equal(r.marketplace, 'www.amazon.fr');
        }
      }
      const upc = truthOf(emu, 'upc_listing')[0];
      assert.ok(upc);
      const viaUpc = await client.searchAmazonByEan(upc.code.slice(1));
      assert.equal(viaUpc.asin, upc.asin, 'UPC-A given, EAN-13 searched, UPC listed');
      assert.equal(viaUpc.code, upc.code, 'the searched form is the EAN-13');
    });

    it('searchAmazonByEan: ranked candidates for duplicates; noise rejected with reasons; no match without evidence', async () => {
      const client = clientFor(emu, kind);
      const dup = truthOf(emu, 'duplicate_listings')[0];
      assert.ok(dup);
      const r = await client.searchAmazonByEan(dup.code);
      const ranked = r.candidates.filter((c) => !c.rejected);
      assert.ok(ranked.length >= 2, 'every listing of the code is a candidate');
      assert.equal(r.asin, dup.asin, 'the best-selling listing wins');
      // The duplicates are dead (out of stock or no offer): they rank after it and are no rivals.
      assert.ok(r.reasons.includes('single_candidate'), r.reasons.join());
      assert.ok(
        ranked
          .slice(1)
          .every((c) => c.reasons.includes('no_offer') || c.reasons.includes('unavailable')),
      );
      assert.deepEqual(
        ranked.map((c) => c.rank),
        ranked.map((_, i) => i + 1),
      );

      const notFound = truthOf(emu, 'not_found')[0];
      assert.ok(notFound);
      const none = await client.searchAmazonByEan(notFound.code);
      assert.equal(none.found, false);
      assert.deepEqual([none.asin, none.match_type, none.reasons], [null, 'none', ['no_results']]);

      const noise = truthOf(emu, 'noise_only')[0];
      assert.ok(noise);
      const n = await client.searchAmazonByEan(noise.code);
      assert.equal(n.found, false);
      assert.deepEqual(n.reasons, ['noise_only']);
      assert.ok(
        n.candidates.length > 0 && n.candidates.every((c) => c.rejected && c.rank === null),
      );

      // The code in the title only: a fuzzy match, never in the high band.
      const titled = truthOf(emu, 'title_only')[0];
      assert.ok(titled);
      const f = await client.searchAmazonByEan(titled.code);
      // Accepted, or proposed when the item lists other codes or states a pack (issue 19).
      assert.equal(f.asin ?? f.proposed_asin, titled.asin);
      assert.equal(f.match_type, 'fuzzy');
      assert.ok(f.confidence < 0.9);

      await assert.rejects(
        client.searchAmazonByEan('12345'),
        (e: unknown) => e instanceof AmazonError && e.code === 'invalid_data',
      );
    });

    it("searchAmazonByEan uses the row's title and brand, and the owner's rules", async () => {
      const client = clientFor(emu, kind);
      const bare = truthOf(emu, 'no_external_ids')[0];
      assert.ok(bare?.asin);
      const product = productsOf(emu).find((p) => p.asin === bare.asin);
      assert.ok(product);
      const codesOnly = await client.searchAmazonByEan(bare.code);
      assert.equal(
        codesOnly.found,
        false,
        'an item listing no id is not accepted on the code alone',
      );
      assert.ok(codesOnly.candidates.some((c) => c.asin === bare.asin && c.rejected));
      const withRow = await client.searchAmazonByEan(bare.code, {
        row: { title: product.title, brand: product.brand ?? null },
      });
      assert.equal(withRow.asin, bare.asin);
      assert.equal(withRow.match_type, 'fuzzy');
      assert.ok(withRow.reasons.some((x) => x.startsWith('title_similarity:')));

      const exact = truthOf(emu, 'exact_unique')[0];
      assert.ok(exact?.asin);
      const parsed = parseCode(exact.code);
      assert.ok(parsed.valid);
      const rule = { gtin: parsed.gtin14, marketplace: '*', asin: 'B0RULE0001' };
      const manual = await client.searchAmazonByEan(exact.code, {
        rules: [{ ...rule, rule: 'always' }],
      });
      assert.deepEqual(
        [manual.asin, manual.match_type, manual.confidence],
        [rule.asin, 'manual', 1],
      );
      const never = await client.searchAmazonByEan(exact.code, {
        rules: [{ ...rule, asin: exact.asin, rule: 'never' }],
      });
      assert.notEqual(never.asin, exact.asin);
      assert.ok(
        never.candidates.some(
          (c) => c.asin === exact.asin && c.reasons.includes('rejected_by_rule'),
        ),
      );
    });

    it('getItems: >10 ids split by 10, requested order kept, partial errors, malformed refused locally', async () => {
      const client = clientFor(emu, kind);
      const products = productsOf(emu);
      const inaccessible = products.find((p) => p.accessible === false);
      const good = products
        .filter((p) => p.accessible !== false)
        .slice(0, 11)
        .map((p) => p.asin);
      assert.ok(inaccessible);
      const asked = [
        good[0] as string,
        'B0ZZZZZZZZ',
        inaccessible.asin,
        'not-an-asin',
        ...good.slice(1),
      ];
      const before = statsOf(emu, kind)?.operations.getItems?.requests ?? 0;
      const r = await client.getItems(asked);
      const calls = (statsOf(emu, kind)?.operations.getItems?.requests ?? 0) - before;
      assert.equal(calls, 2, '13 well-formed ids → 2 requests');
      assert.deepEqual([...r.items.keys()], good);
      assert.deepEqual([...r.errors.keys()], ['B0ZZZZZZZZ', inaccessible.asin, 'NOT-AN-ASIN']);
      assert.equal(r.errors.get('B0ZZZZZZZZ')?.code, 'InvalidParameterValue');
      assert.equal(r.errors.get(inaccessible.asin)?.code, 'ItemNotAccessible');
      assert.equal(r.requestIds.length, 2);
    });

    it('getItems: an all-invalid batch is reported per id, not thrown', async () => {
      const client = clientFor(emu, kind);
      const r = await client.getItems(['B0ZZZZZZZ1', 'B0ZZZZZZZ2']);
      assert.equal(r.items.size, 0);
      assert.deepEqual([...r.errors.keys()], ['B0ZZZZZZZ1', 'B0ZZZZZZZ2']);
    });

    it('getVariations returns the children with their attributes and dimensions', async () => {
      const client = clientFor(emu, kind);
      const parent = productsOf(emu).find((p) => p.isParent);
      assert.ok(parent);
      const v = await client.getVariations(parent.asin);
      assert.ok(v.items.length >= 2);
      assert.ok(
        v.items.every((i) => i.parent_asin === parent.asin && i.variation_attributes !== null),
      );
      assert.ok(v.dimensions.length >= 1 && (v.dimensions[0]?.values.length ?? 0) >= 2);
      assert.equal(v.requestIds.length, 1);
      await assert.rejects(
        client.getVariations('B0ZZZZZZZZ'),
        (e: unknown) => e instanceof AmazonError && e.code === 'not_found',
      );
    });

    it('a credential that is not eligible → not_eligible; the batch stops at the first', async () => {
      const client = clientFor(emu, kind, {}, {}, kind === 'creators' ? 3 : 1);
      const codes = truthOf(emu, 'exact_unique')
        .slice(0, 5)
        .map((t) => t.code);
      const out = await client.searchByCodes(codes);
      assert.ok(
        [...out.values()].every((o) => o.status === 'error' && o.error.code === 'not_eligible'),
      );
      assert.match(
        (out.get(codes[0] as string) as { error: AmazonError }).error.message,
        /10 qualified sales/,
      );
    });
  });
}

describe('client factory', () => {
  it('refuses missing credentials, tag and marketplace before any request', async () => {
    const emu = await startTestEmulator();
    try {
      const cases: [Kind, Record<string, string>, RegExp][] = [
        [
          'creators',
          { AMAZON_CREATORS_CREDENTIAL_ID: '' },
          /AMAZON_CREATORS_CREDENTIAL_ID.*PUT \/api\/v1\/amazon\/config/,
        ],
        [
          'creators',
          { AMAZON_CREATORS_CREDENTIAL_VERSION: '3.1' },
          /3\.1 cannot call www\.amazon\.fr.*2\.2 or 3\.2/,
        ],
        ['paapi', { AMAZON_PAAPI_SECRET_KEY: '' }, /AMAZON_PAAPI_SECRET_KEY/],
        ['creators', { AMAZON_ASSOCIATE_TAG: '' }, /AMAZON_ASSOCIATE_TAG/],
      ];
      for (const [kind, env, message] of cases) {
        assert.throws(
          () => clientFor(emu, kind, env),
          (e: unknown) => e instanceof AmazonError && e.code === 'auth' && message.test(e.message),
        );
      }
      assert.equal(emu.stats().total.requests, 0);
    } finally {
      await emu.close();
    }
  });
});
