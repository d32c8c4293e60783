import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AmazonProduct } from '../../src/amazon/product.js';
import { decideMatch, SIGNALS, confidenceBand } from '../../src/matching/index.js';
import { combine, contribution } from '../../src/matching/signals.js';
import { code, product } from './fixtures.js';

describe('the scoring table', () => {
  it('multiple_candidates:N weighs -0.1 per rival, down to -0.25', () => {
    assert.deepEqual(contribution('multiple_candidates', 2), {
      reason: 'multiple_candidates:2',
      weight: -0.1,
    });
    assert.equal(contribution('multiple_candidates', 3).weight, -0.2);
    assert.equal(contribution('multiple_candidates', 9).weight, -0.25);
  });

  it('title_similarity:x weighs 0.2 × (x − 0.5), x shown with two decimals', () => {
    assert.deepEqual(contribution('title_similarity', 0.8234), {
      reason: 'title_similarity:0.82',
      weight: 0.06,
    });
    assert.equal(contribution('title_similarity', 0).weight, -0.1);
    assert.equal(contribution('title_similarity', 0.5).weight, 0);
  });

  it('combine sums the weights and clamps them to 0…cap', () => {
    assert.equal(
      combine(
        [
          { reason: 'a', weight: 0.9 },
          { reason: 'b', weight: 0.3 },
        ],
        0.99,
      ),
      0.99,
    );
    assert.equal(
      combine(
        [
          { reason: 'a', weight: 0.2 },
          { reason: 'b', weight: -0.5 },
        ],
        0.99,
      ),
      0,
    );
    assert.equal(
      combine(
        [
          { reason: 'a', weight: 0.5 },
          { reason: 'b', weight: 0.08 },
        ],
        0.69,
      ),
      0.58,
    );
  });

  it('bands: high ≥ 0.9, medium ≥ 0.7, low ≥ 0.5, very_low below', () => {
    assert.deepEqual([1, 0.9, 0.89, 0.7, 0.69, 0.5, 0.49, 0].map(confidenceBand), [
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'very_low',
      'very_low',
    ]);
  });

  it('every identity signal alone with single_candidate lands in its documented band', () => {
    const bands = Object.entries(SIGNALS)
      .filter(([, s]) => s.kind === 'identity')
      .map(([name, s]) => [name, confidenceBand(s.weight + SIGNALS.single_candidate.weight)]);
    assert.deepEqual(Object.fromEntries(bands), {
      ean_in_external_ids: 'high',
      upc_in_external_ids: 'high',
      isbn_in_external_ids: 'high',
      upc_equivalent: 'high',
      isbn10_equivalent: 'high',
      ambiguous_8_digit: 'medium',
      case_pack_unit: 'medium',
      code_in_title: 'medium',
      title_brand_similarity: 'low',
    });
  });
});

const EAN = '4006381333931';
const DECISIVE = ['pack_mismatch', 'condition_renewed', 'condition_used', 'variant_mismatch'];
const OTHER_EANS = ['3017620422003', '8000500310427', '5000112637922'];

const arbitraryItem = fc.record({
  asin: fc.constantFrom('B0AAAAAAA1', 'B0AAAAAAA2', 'B0AAAAAAA3', 'B0AAAAAAA4', 'B0AAAAAAA5'),
  eans: fc.subarray([EAN, ...OTHER_EANS]),
  isbns: fc.constant([] as string[]),
  title: fc.option(fc.constantFrom('Stabilo Point 88', 'Pâte à tartiner 400 g', 'Pack of 6 pens')),
  brand: fc.option(fc.constantFrom('Stabilo', 'Ferrero', 'Staedtler')),
  parent_asin: fc.option(fc.constantFrom('B0AAAAAAA1', 'B0PARENT01')),
  availability: fc.option(fc.constantFrom('In Stock', 'Out of Stock')),
  sales_rank: fc.option(fc.integer({ min: 1, max: 100000 })),
});

const arbitraryRow = fc.record({
  title: fc.option(fc.constantFrom('Stabilo Point 88 fineliner', 'Nutella 400g')),
  brand: fc.option(fc.constantFrom('Stabilo', 'Ferrero')),
  quantity: fc.option(fc.integer({ min: 1, max: 12 })),
});

function listsCode(item: AmazonProduct): boolean {
  return item.external_ids.eans.includes(EAN);
}

describe('decideMatch properties (fast-check)', () => {
  it('scores stay in 0–0.99, equal their clamped signal sum, and noise never wins', () => {
    fc.assert(
      fc.property(fc.array(arbitraryItem, { maxLength: 8 }), arbitraryRow, (raw, row) => {
        const items = raw.map((r) => product(r));
        const decision = decideMatch({ code: code(EAN), items, row });
        assert.ok(decision.confidence >= 0 && decision.confidence <= 0.99);
        for (const c of decision.candidates) {
          const decisive = c.reasons.some((r) => DECISIVE.some((d) => r.startsWith(d)));
          const cap = decisive ? 0.4 : c.match_type === 'fuzzy' ? 0.89 : 0.99;
          if (!c.rejected) assert.equal(c.confidence, combine(c.signals, cap));
          for (const r of c.reasons) assert.ok((r.split(':')[0] as string) in SIGNALS, r);
        }
        const named = decision.asin ?? decision.proposed_asin;
        const chosen = items.find((i) => i.asin === named);
        assert.ok(decision.asin === null || decision.proposed_asin === null);
        if (decision.verdict === 'accepted') assert.ok(decision.confidence >= 0.8);
        if (decision.match_type === 'exact') assert.ok(chosen && listsCode(chosen));
        if (!items.some(listsCode) && !row.title) assert.equal(decision.match_type, 'none');
        if (decision.match_type === 'fuzzy') {
          assert.ok(chosen && chosen.external_ids.eans.length === 0);
        }
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });

  it('an exact match with a child is never beaten by its parent', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (parentFirst, parentListsCode) => {
        const parent = product({ asin: 'B0PARENT01', eans: parentListsCode ? [EAN] : [] });
        const child = product({ asin: 'B0CHILD001', eans: [EAN], parent_asin: 'B0PARENT01' });
        const items = parentFirst ? [parent, child] : [child, parent];
        assert.equal(decideMatch({ code: code(EAN), items }).asin, 'B0CHILD001');
      }),
    );
  });
});
