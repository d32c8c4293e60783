import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMatch } from '../../src/matching/index.js';
import { CREATORS_SPREAD, code, fromWire, product } from './fixtures.js';

const SPREAD = code('3017620422003');
const EAN = '3017620422003';

describe('decideMatch: agreement with the row (title, brand, pack size)', () => {
  it('title_similarity:1 adds 0.1, and an automatic score stops at 0.99', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [fromWire(CREATORS_SPREAD)],
      row: { title: 'Pate a tartiner 400g' },
    });
    assert.deepEqual(decision.reasons, [
      'ean_in_external_ids',
      'single_candidate',
      'title_similarity:1',
    ]);
    assert.equal(decision.candidates[0]?.signals[2]?.weight, 0.1);
    assert.equal(decision.confidence, 0.99);
  });

  it('an unrelated row title takes 0.1 off, but an id match stays a match', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [fromWire(CREATORS_SPREAD)],
      row: { title: 'Chaussettes en laine' },
    });
    assert.equal(decision.match_type, 'exact');
    assert.ok(decision.reasons.includes('title_similarity:0'));
    assert.equal(decision.confidence, 0.88);
  });

  it('brand_match adds 0.03; brand_mismatch takes off 0.15 and leaves the high band', () => {
    const item = fromWire(CREATORS_SPREAD);
    const same = decideMatch({ code: SPREAD, items: [item], row: { brand: 'EXAMPLEBRAND' } });
    assert.ok(same.reasons.includes('brand_match'));
    assert.equal(same.confidence, 0.99);
    const other = decideMatch({ code: SPREAD, items: [item], row: { brand: 'Lindt' } });
    assert.ok(other.reasons.includes('brand_mismatch'));
    assert.equal(other.confidence, 0.83);
    assert.equal(other.band, 'medium');
  });

  it('a brand matches the manufacturer, a company suffix, or the title when no brand is given', () => {
    const byMaker = product({ asin: 'B0MAKER001', eans: [EAN], manufacturer: 'Ferrero S.p.A.' });
    const inTitle = product({ asin: 'B0TITLE001', eans: [EAN], title: 'Ferrero Rocher x16' });
    for (const item of [byMaker, inTitle]) {
      const decision = decideMatch({ code: SPREAD, items: [item], row: { brand: 'Ferrero SpA' } });
      assert.ok(decision.reasons.includes('brand_match'), item.asin);
    }
  });

  it('no brand signal when the item gives nothing to compare with', () => {
    const bare = product({ asin: 'B0BARE0001', eans: [EAN] });
    const decision = decideMatch({ code: SPREAD, items: [bare], row: { brand: 'Ferrero' } });
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'single_candidate']);
  });

  it('pack_match adds 0.02 when the title states the row pack size', () => {
    const six = product({ asin: 'B0SIXPACK1', eans: [EAN], title: 'Spread 400 g (Pack of 6)' });
    const decision = decideMatch({ code: SPREAD, items: [six], row: { quantity: 6 } });
    assert.deepEqual(decision.reasons, [
      'ean_in_external_ids',
      'single_candidate',
      'pack_match: 6',
    ]);
    assert.equal(decision.confidence, 1 - 0.01);
    assert.equal(decision.verdict, 'accepted');
  });

  it('pack_mismatch is decisive: the single unit searched, a 6 x 400 g pack returned → review', () => {
    const six = product({ asin: 'B0SIXPACK1', eans: [EAN], title: 'Pâte à tartiner 6 x 400 g' });
    const decision = decideMatch({ code: SPREAD, items: [six], row: { quantity: 1 } });
    assert.ok(decision.reasons.includes('pack_mismatch: row 1, listing 6'));
    assert.equal(decision.asin, null);
    assert.equal(decision.proposed_asin, 'B0SIXPACK1');
    assert.equal(decision.verdict, 'to_review');
    assert.ok(decision.confidence <= 0.4, String(decision.confidence));
  });

  it('the pack size is read from variation attributes too', () => {
    const item = product({
      asin: 'B0VARPACK1',
      eans: [EAN],
      variation_attributes: { number_of_items: '12' },
    });
    const decision = decideMatch({ code: SPREAD, items: [item], row: { quantity: 6 } });
    assert.ok(decision.reasons.includes('pack_mismatch: row 6, listing 12'));
  });

  it('a row selling 6 under the unit code, only the unit listed: pack_mismatch, review', () => {
    const item = fromWire(CREATORS_SPREAD);
    const decision = decideMatch({ code: SPREAD, items: [item], row: { quantity: 6 } });
    assert.deepEqual(decision.reasons, [
      'ean_in_external_ids',
      'single_candidate',
      'pack_mismatch: row 6, listing 1',
    ]);
    assert.equal(decision.verdict, 'to_review');
  });

  it('no pack signal when neither side states a pack (a unit title against a unit title)', () => {
    const item = fromWire(CREATORS_SPREAD);
    const decision = decideMatch({ code: SPREAD, items: [item], row: { title: 'Pâte 400 g' } });
    assert.ok(!decision.reasons.some((r) => r.startsWith('pack_')), decision.reasons.join());
  });
});

describe('decideMatch: fuzzy (no id, the row title and brand agree)', () => {
  const noIds = product({
    asin: 'B0NUTELLA1',
    title: 'Nutella Pâte à tartiner aux noisettes et au cacao, 400 g',
    brand: 'Ferrero',
  });

  it('fuzzy: title similar and brand equal, below the high band; strong agreement is accepted', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [noIds],
      row: { title: 'Nutella pâte à tartiner 400g', brand: 'Ferrero' },
    });
    assert.equal(decision.match_type, 'fuzzy');
    assert.equal(decision.asin, 'B0NUTELLA1');
    assert.deepEqual(decision.reasons.slice(0, 2), ['title_brand_similarity', 'single_candidate']);
    assert.ok(decision.reasons.includes('brand_match'));
    assert.ok(decision.reasons.includes('strong_title_agreement'));
    assert.ok(decision.confidence >= 0.8 && decision.confidence < 0.9, String(decision.confidence));
    assert.equal(decision.band, 'medium');
    // A looser title (no strong agreement) is only proposed.
    const loose = decideMatch({
      code: SPREAD,
      items: [noIds],
      row: { title: 'Nutella pâte à tartiner original', brand: 'Ferrero' },
    });
    assert.equal(loose.match_type, 'fuzzy');
    assert.equal(loose.asin, null);
    assert.equal(loose.proposed_asin, 'B0NUTELLA1');
    assert.ok(loose.reasons.includes('below_accept_threshold: 0.8'));
  });

  it('fuzzy without a row brand needs a title similarity of 0.8', () => {
    const close = decideMatch({
      code: SPREAD,
      items: [noIds],
      row: { title: 'Nutella pâte à tartiner noisettes cacao 400g' },
    });
    assert.equal(close.match_type, 'fuzzy');
    const loose = decideMatch({ code: SPREAD, items: [noIds], row: { title: 'Nutella 750g' } });
    assert.equal(loose.match_type, 'none');
    assert.ok(loose.candidates[0]?.reasons.includes('noise'));
  });

  it('never fuzzy when the brands differ, however close the title', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [noIds],
      row: { title: 'Pâte à tartiner noisettes cacao 400 g', brand: 'Milka' },
    });
    assert.equal(decision.match_type, 'none');
    assert.deepEqual(decision.candidates[0]?.reasons.slice(0, 1), ['noise']);
    assert.ok(decision.candidates[0]?.reasons.includes('brand_mismatch'));
  });

  it('never fuzzy for an item that lists other codes (ids_conflict): a sibling product', () => {
    const sibling = { ...noIds, external_ids: { eans: ['8000500310427'], upcs: [], isbns: [] } };
    const decision = decideMatch({
      code: SPREAD,
      items: [sibling],
      row: { title: 'Nutella pâte à tartiner 400g', brand: 'Ferrero' },
    });
    assert.equal(decision.match_type, 'none');
    assert.ok(decision.candidates[0]?.reasons.includes('noise'));
    assert.ok(decision.candidates[0]?.reasons.includes('ids_conflict'));
  });

  it('an id match always wins over a fuzzy one', () => {
    const exact = product({ asin: 'B0EXACT001', eans: [EAN], title: 'Spread', brand: 'Other' });
    const decision = decideMatch({
      code: SPREAD,
      items: [noIds, exact],
      row: { title: 'Nutella pâte à tartiner 400g', brand: 'Ferrero' },
    });
    // Its poor title and other brand keep it under the threshold: proposed, still over the fuzzy.
    assert.equal(decision.asin ?? decision.proposed_asin, 'B0EXACT001');
    assert.equal(decision.candidates[1]?.match_type, 'fuzzy');
  });

  it('several fuzzy matches compete like id matches do', () => {
    const twin = { ...noIds, asin: 'B0NUTELLA2' };
    const decision = decideMatch({
      code: SPREAD,
      items: [noIds, twin],
      row: { title: 'Nutella pâte à tartiner 400g', brand: 'Ferrero' },
    });
    assert.ok(decision.reasons.includes('multiple_candidates:2'));
    assert.ok(decision.confidence < 0.8);
    assert.equal(decision.verdict, 'to_review');
  });

  it('code_in_title: an item without ids whose title carries the code is a fuzzy match (0.83)', () => {
    const item = product({
      asin: 'B0INTITLE1',
      title: 'Pâte à tartiner 400 g - EAN 3017620422003',
    });
    const decision = decideMatch({ code: SPREAD, items: [item] });
    assert.equal(decision.match_type, 'fuzzy');
    assert.deepEqual(decision.reasons, ['code_in_title', 'single_candidate']);
    assert.equal(decision.confidence, 0.83);
    assert.equal(decision.verdict, 'accepted');
  });

  it('code_in_title with other codes listed: ids_conflict takes 0.1 off', () => {
    const item = product({
      asin: 'B0INTITLE1',
      title: 'Pâte à tartiner - EAN 3017620422003',
      eans: ['8000500310427'],
    });
    const decision = decideMatch({ code: SPREAD, items: [item] });
    assert.deepEqual(decision.reasons, [
      'code_in_title',
      'single_candidate',
      'ids_conflict',
      'below_accept_threshold: 0.8',
    ]);
    assert.equal(decision.confidence, 0.73);
    assert.equal(decision.proposed_asin, 'B0INTITLE1');
  });

  it('code_in_title reads hyphenated ISBNs and other forms, but not a longer number', () => {
    const book = product({ asin: 'B0BOOK0001', title: 'Box set (ISBN 978-0-545-16207-4)' });
    assert.equal(decideMatch({ code: code('0545162076'), items: [book] }).match_type, 'fuzzy');
    const longer = product({ asin: 'B0LONGER01', title: 'Ref 130176204220031' });
    assert.equal(decideMatch({ code: SPREAD, items: [longer] }).match_type, 'none');
  });
});
