import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AmazonProduct } from '../../src/amazon/product.js';
import { decideMatch, type RowContext } from '../../src/matching/index.js';
import { code, product } from './fixtures.js';

const EAN = '3245390063014';
const CODE = code(EAN);
const live = { price: 4.2, availability: 'In Stock' };

const unit = product({
  asin: 'B0UNIT0001',
  eans: [EAN],
  title: 'Andros Confiture fraise 370 g',
  brand: 'Andros',
  ...live,
});
const twelve = product({
  asin: 'B0PACK0012',
  eans: [EAN],
  title: 'Andros Confiture fraise 370 g - Lot de 12',
  brand: 'Andros',
  ...live,
});
const unitRow: RowContext = { title: 'ANDROS CONFITURE FRAISE 370G', brand: 'Andros' };
const packRow: RowContext = {
  title: 'Andros confiture fraise 370 g',
  brand: 'Andros',
  quantity: 12,
};

/** Runs the decision on both orders of the candidates; both must agree. */
function both(items: AmazonProduct[], row: RowContext) {
  const forward = decideMatch({ code: CODE, items, row });
  const backward = decideMatch({ code: CODE, items: [...items].reverse(), row });
  assert.equal(forward.asin, backward.asin, 'the order of the candidates changes nothing');
  assert.equal(forward.proposed_asin, backward.proposed_asin);
  assert.equal(forward.verdict, backward.verdict);
  return forward;
}

describe('decideMatch: packs', () => {
  it('a unit row whose code only a 12-pack carries: never an accepted exact, a proposal', () => {
    const d = both([twelve], unitRow);
    assert.equal(d.asin, null);
    assert.equal(d.proposed_asin, 'B0PACK0012');
    assert.equal(d.verdict, 'to_review');
    assert.ok(d.reasons.includes('pack_mismatch: row 1, listing 12'), d.reasons.join());
    assert.ok(d.confidence < 0.5);
  });

  it('a row selling 12 under the unit code, only the unit listed: a proposal', () => {
    const d = both([unit], packRow);
    assert.equal(d.asin, null);
    assert.ok(d.reasons.includes('pack_mismatch: row 12, listing 1'), d.reasons.join());
  });

  it('both listings carry the code: the one whose pack agrees wins and is accepted', () => {
    const forUnit = both([unit, twelve], unitRow);
    assert.equal(forUnit.asin, 'B0UNIT0001');
    assert.equal(forUnit.band, 'high');
    assert.ok(forUnit.reasons.includes('single_candidate'), 'the 12-pack is no rival');
    const forPack = both([unit, twelve], packRow);
    assert.equal(forPack.asin, 'B0PACK0012');
    assert.ok(forPack.reasons.includes('pack_match: 12'));
  });

  it('codes only: the unit listing ranks before a listing that states a pack', () => {
    const d = both([unit, twelve], {});
    assert.equal(d.asin, 'B0UNIT0001');
    const twelveOnly = both([twelve], {});
    assert.ok(twelveOnly.reasons.includes('pack_unverified: listing 12'));
  });
});

describe('decideMatch: renewed, dead, variants', () => {
  const renewed = product({
    ...unit,
    asin: 'B0RENEW001',
    title: `${unit.title} (Reconditionné)`,
    sales_rank: 3,
    eans: [EAN],
  });
  const refurbishedOffer = product({
    ...unit,
    asin: 'B0RENEW002',
    condition: 'Refurbished',
    eans: [EAN],
  });

  it('a new listing beats a renewed one sharing the code (title mark or offer condition)', () => {
    for (const copy of [renewed, refurbishedOffer]) {
      const d = both([copy, unit], unitRow);
      assert.equal(d.asin, 'B0UNIT0001');
      assert.ok(d.reasons.includes('single_candidate'));
    }
  });

  it('a renewed-only answer is flagged and left to a person', () => {
    const d = both([renewed], unitRow);
    assert.equal(d.asin, null);
    assert.equal(d.proposed_asin, 'B0RENEW001');
    assert.ok(d.reasons.includes('condition_renewed'));
    assert.ok(d.reasons.includes('renewed_only'));
  });

  it('a live listing beats dead duplicates (no offer, out of stock) and is not made ambiguous', () => {
    const noOffer = product({
      ...unit,
      asin: 'B0DEAD0001',
      price: null,
      availability: null,
      sales_rank: 1,
      eans: [EAN],
    });
    const outOfStock = product({
      ...unit,
      asin: 'B0DEAD0002',
      price: 3,
      availability: 'Out of Stock',
      eans: [EAN],
    });
    const d = both([noOffer, outOfStock, unit], unitRow);
    assert.equal(d.asin, 'B0UNIT0001');
    assert.ok(d.reasons.includes('single_candidate'), d.reasons.join());
    const dead = d.candidates.find((c) => c.asin === 'B0DEAD0001');
    assert.ok(dead?.reasons.includes('no_offer'));
    assert.ok(d.candidates.find((c) => c.asin === 'B0DEAD0002')?.reasons.includes('unavailable'));
  });

  it('a sibling in another flavour without ids is not a match; the same flavour is', () => {
    const sibling = product({
      asin: 'B0SIBLING1',
      title: 'Andros Confiture abricot 370 g',
      brand: 'Andros',
      ...live,
    });
    const d = both([sibling], unitRow);
    assert.equal(d.asin, null);
    assert.equal(d.proposed_asin, null);
    assert.ok(d.candidates[0]?.reasons.some((r) => r.startsWith('variant_mismatch: flavour')));
    const same = product({
      ...sibling,
      asin: 'B0SAMEFLAV',
      title: 'Andros Confiture fraise 370 g',
    });
    const ok = both([sibling, same], unitRow);
    assert.equal(ok.asin, 'B0SAMEFLAV');
    assert.equal(ok.match_type, 'fuzzy');
  });

  it('an id listing whose variant words differ from the row is only proposed', () => {
    const wrongFlavour = product({
      ...unit,
      asin: 'B0WRONGFLA',
      title: 'Andros Confiture cerise 370 g',
      eans: [EAN],
    });
    const d = both([wrongFlavour], unitRow);
    assert.equal(d.asin, null);
    assert.ok(d.reasons.some((r) => r.startsWith('variant_mismatch: flavour row strawberry')));
  });

  it('the threshold is a setting: a lower one accepts what the default proposes', () => {
    const parentOnly = product({
      ...unit,
      asin: 'B0PARENT99',
      parent_asin: 'B0PARENT99',
      eans: [EAN],
    });
    assert.equal(decideMatch({ code: CODE, items: [parentOnly] }).asin, null);
    const lenient = decideMatch({ code: CODE, items: [parentOnly], acceptThreshold: 0.5 });
    assert.equal(lenient.asin, 'B0PARENT99');
  });
});
