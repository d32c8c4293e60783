import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMatch, type MatchDecision } from '../../src/matching/index.js';
import { code, fromWire, paapiVariationFamily, product } from './fixtures.js';

const EAN = '4006381333931';
const PEN = code(EAN);

function order(decision: MatchDecision): string[] {
  return decision.candidates.filter((c) => !c.rejected).map((c) => c.asin);
}

describe('decideMatch: parents and children', () => {
  it('PA-API variation family: the child with the EAN wins; the parent without ids is rejected', () => {
    const items = paapiVariationFamily(EAN).map((item) => fromWire(item, 'www.amazon.com'));
    const decision = decideMatch({ code: PEN, items });
    assert.equal(decision.asin, 'B0CHILD042');
    assert.deepEqual(decision.reasons, [
      'ean_in_external_ids',
      'single_candidate',
      'variation_child',
    ]);
    assert.equal(decision.confidence, 0.98);
    const parent = decision.candidates.find((c) => c.asin === 'B0PARENT01');
    assert.equal(parent?.rejected, true);
    assert.deepEqual(parent?.reasons, ['noise', 'parent_asin_returned']);
  });

  it('a parent that lists the code too ranks after its child and does not count as a rival', () => {
    const parent = product({ asin: 'B0PARENT01', eans: [EAN] });
    const child = product({ asin: 'B0CHILD042', eans: [EAN], parent_asin: 'B0PARENT01' });
    const decision = decideMatch({ code: PEN, items: [parent, child] });
    assert.deepEqual(order(decision), ['B0CHILD042', 'B0PARENT01']);
    assert.ok(decision.reasons.includes('single_candidate'));
    assert.ok(decision.candidates[1]?.reasons.includes('parent_asin_returned'));
    assert.ok((decision.candidates[1]?.confidence ?? 1) < 0.7);
  });

  it('a parent with an exact id does not win over its child with a partial one', () => {
    const parent = product({ asin: 'B0PARENT01', eans: ['9780545162074'] });
    const child = product({ asin: 'B0CHILD001', isbns: ['0545162076'], parent_asin: 'B0PARENT01' });
    const decision = decideMatch({ code: code('9780545162074'), items: [parent, child] });
    assert.equal(decision.asin, 'B0CHILD001');
    assert.equal(decision.match_type, 'partial');
  });

  it('a lone variation parent with the id is returned, with parent_asin_returned (-0.3)', () => {
    const parent = product({ asin: 'B0PARENT01', eans: [EAN], parent_asin: 'B0PARENT01' });
    const decision = decideMatch({ code: PEN, items: [parent] });
    // 0.68: under the acceptance threshold, so only proposed.
    assert.equal(decision.asin, null);
    assert.equal(decision.proposed_asin, 'B0PARENT01');
    assert.deepEqual(decision.reasons, [
      'ean_in_external_ids',
      'single_candidate',
      'parent_asin_returned',
      'below_accept_threshold: 0.8',
    ]);
    assert.equal(decision.confidence, 0.68);
    assert.equal(decision.band, 'low');
  });
});

describe('decideMatch: several matching ASINs', () => {
  const duplicate = (asin: string, extra: Partial<Parameters<typeof product>[0]> = {}) =>
    product({ asin, eans: [EAN], title: 'Schwan-Stabilo Point 88 fineliner', ...extra });

  it('multiple_candidates:N takes 0.1 per rival off every one of them', () => {
    const decision = decideMatch({
      code: PEN,
      items: ['B0DUP00001', 'B0DUP00002', 'B0DUP00003'].map((a) => duplicate(a)),
    });
    assert.deepEqual(decision.reasons, [
      'ean_in_external_ids',
      'multiple_candidates:3',
      'below_accept_threshold: 0.8',
    ]);
    assert.equal(decision.confidence, 0.7);
    assert.equal(decision.verdict, 'to_review');
    for (const c of decision.candidates) assert.equal(c.confidence, 0.7);
  });

  it('the multiple_candidates penalty stops at -0.25', () => {
    const items = [1, 2, 3, 4, 5, 6].map((n) => duplicate(`B0DUP0000${n}`));
    const decision = decideMatch({ code: PEN, items });
    assert.equal(decision.candidates[0]?.signals[1]?.weight, -0.25);
    assert.equal(decision.confidence, 0.65);
  });

  it('rank 3: agreement with the row (title, brand, pack size) before the provider order', () => {
    const items = [
      duplicate('B0DUP00001', { brand: 'Staedtler' }),
      duplicate('B0DUP00002', { brand: 'Stabilo' }),
    ];
    const decision = decideMatch({ code: PEN, items, row: { brand: 'Stabilo' } });
    assert.deepEqual(order(decision), ['B0DUP00002', 'B0DUP00001']);
    assert.ok(decision.confidence > (decision.candidates[1]?.confidence ?? 1));
  });

  it('rank 3: a pack-size mismatch sends a candidate down', () => {
    const items = [
      duplicate('B0DUP00010', { title: 'Stabilo Point 88 fineliner, pack of 10' }),
      duplicate('B0DUP00001', { title: 'Stabilo Point 88 fineliner' }),
    ];
    const decision = decideMatch({ code: PEN, items, row: { quantity: 1 } });
    assert.deepEqual(order(decision), ['B0DUP00001', 'B0DUP00010']);
  });

  it('rank 4: in stock before unknown before unavailable', () => {
    const items = [
      duplicate('B0DUP00001', { availability: 'Currently unavailable.' }),
      duplicate('B0DUP00002'),
      duplicate('B0DUP00003', { availability: 'En stock' }),
    ];
    assert.deepEqual(order(decideMatch({ code: PEN, items })), [
      'B0DUP00003',
      'B0DUP00002',
      'B0DUP00001',
    ]);
  });

  it('rank 5: the better sales rank, unknown last', () => {
    const items = [
      duplicate('B0DUP00001'),
      duplicate('B0DUP00002', { sales_rank: 9000 }),
      duplicate('B0DUP00003', { sales_rank: 12 }),
    ];
    assert.deepEqual(order(decideMatch({ code: PEN, items })), [
      'B0DUP00003',
      'B0DUP00002',
      'B0DUP00001',
    ]);
  });

  it('rank 6: otherwise the provider order (its relevance) decides', () => {
    const items = [duplicate('B0DUP00002'), duplicate('B0DUP00001')];
    assert.deepEqual(order(decideMatch({ code: PEN, items })), ['B0DUP00002', 'B0DUP00001']);
  });

  it('identity comes before agreement: an exact match with a poor title beats a partial with a good one', () => {
    const book = code('9780545162074');
    const partial = product({
      asin: 'B0PARTIAL1',
      isbns: ['0545162076'],
      title: 'Harry Potter Box Set',
    });
    const exact = product({ asin: 'B0EXACT001', eans: ['9780545162074'], title: 'Coffret' });
    const decision = decideMatch({
      code: book,
      items: [partial, exact],
      row: { title: 'Harry Potter Box Set' },
    });
    assert.equal(decision.asin ?? decision.proposed_asin, 'B0EXACT001');
  });

  it('every candidate keeps its own score and reasons, ranks are 1..n', () => {
    const items = [
      duplicate('B0DUP00001', { brand: 'Stabilo' }),
      duplicate('B0DUP00002', { brand: 'Staedtler' }),
    ];
    const decision = decideMatch({ code: PEN, items, row: { brand: 'Stabilo' } });
    assert.deepEqual(
      decision.candidates.map((c) => c.rank),
      [1, 2],
    );
    assert.deepEqual(decision.candidates[0]?.reasons, [
      'ean_in_external_ids',
      'multiple_candidates:2',
      'brand_match',
    ]);
    assert.deepEqual(decision.candidates[1]?.reasons, [
      'ean_in_external_ids',
      'multiple_candidates:2',
      'brand_mismatch',
    ]);
    assert.deepEqual(
      decision.candidates.map((c) => c.confidence),
      [0.83, 0.65],
    );
  });
});
