import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMatch } from '../../src/matching/index.js';
import {
  CREATORS_SPREAD,
  PAAPI_HARRY_POTTER,
  code,
  creatorsNoise,
  fromWire,
  product,
} from './fixtures.js';

describe('decideMatch: match types and identity signals', () => {
  it('exact: the Creators API search item lists the EAN (ean_in_external_ids, single_candidate)', () => {
    const decision = decideMatch({
      code: code('3017620422003'),
      items: [fromWire(CREATORS_SPREAD)],
    });
    assert.equal(decision.asin, 'B0EXAMPLE1');
    assert.equal(decision.match_type, 'exact');
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'single_candidate']);
    assert.equal(decision.confidence, 0.98);
    assert.equal(decision.band, 'high');
    assert.equal(decision.product?.title, 'Pâte à tartiner 400 g');
    assert.deepEqual(decision.candidates[0]?.signals, [
      { reason: 'ean_in_external_ids', weight: 0.9 },
      { reason: 'single_candidate', weight: 0.08 },
    ]);
  });

  it('exact: a UPC-A searched, the PA-API item lists it among UPCs and EANs (GTIN-14 identity)', () => {
    const decision = decideMatch({
      code: code('717356278525'),
      items: [fromWire(PAAPI_HARRY_POTTER)],
    });
    assert.equal(decision.asin, '0545162076');
    assert.equal(decision.match_type, 'exact');
    assert.equal(decision.reasons[0], 'ean_in_external_ids');
  });

  it('exact: an EAN-13 with a leading 0 matches an item that lists only the 12-digit UPC', () => {
    const item = product({ asin: 'B0UPCONLY1', upcs: ['717356278525'] });
    const decision = decideMatch({ code: code('0717356278525'), items: [item] });
    assert.equal(decision.match_type, 'exact');
    assert.deepEqual(decision.reasons, ['upc_in_external_ids', 'single_candidate']);
  });

  it('exact: an ISBN-13 listed among EANs matches an ISBN-10 searched (the codes module normalises it)', () => {
    const decision = decideMatch({
      code: code('0545162076'),
      items: [fromWire(PAAPI_HARRY_POTTER)],
    });
    assert.equal(decision.match_type, 'exact');
    assert.equal(decision.asin, '0545162076');
  });

  it('exact: listed ids with spaces or hyphens, or as GTIN-14, are normalised before comparing', () => {
    const spaced = product({ asin: 'B0SPACED01', eans: ['301 7620 42200-3'] });
    const gtin14 = product({ asin: 'B0GTIN1401', eans: ['03017620422003'] });
    assert.equal(decideMatch({ code: code('3017620422003'), items: [spaced] }).match_type, 'exact');
    assert.equal(decideMatch({ code: code('3017620422003'), items: [gtin14] }).match_type, 'exact');
  });

  it('exact: isbn_in_external_ids when the ISBN-13 is only in the ISBN list', () => {
    const book = product({ asin: '0545162076', isbns: ['9780545162074'] });
    const decision = decideMatch({ code: code('9780545162074'), items: [book] });
    assert.deepEqual(decision.reasons, ['isbn_in_external_ids', 'single_candidate']);
  });

  it('partial: isbn10_equivalent when the item lists only the ISBN-10', () => {
    const book = product({ asin: '0545162076', isbns: ['0545162076'] });
    const decision = decideMatch({ code: code('9780545162074'), items: [book] });
    assert.equal(decision.match_type, 'partial');
    assert.deepEqual(decision.reasons, ['isbn10_equivalent', 'single_candidate']);
    assert.equal(decision.confidence, 0.93);
  });

  it('partial: upc_equivalent when the item lists the UPC-E of a UPC-A', () => {
    const item = product({ asin: 'B0UPCE0001', upcs: ['01234565'] });
    const decision = decideMatch({ code: code('012345000065'), items: [item] });
    assert.equal(decision.match_type, 'partial');
    assert.deepEqual(decision.reasons, ['upc_equivalent', 'single_candidate']);
    assert.equal(decision.confidence, 0.93);
  });

  it('partial: case_pack_unit when the item lists the unit GTIN of a case-pack code', () => {
    const unit = product({ asin: 'B0UNIT0001', eans: ['0012345678905'] });
    const decision = decideMatch({ code: code('10012345678902'), items: [unit] });
    assert.equal(decision.match_type, 'partial');
    assert.deepEqual(decision.reasons, ['case_pack_unit', 'single_candidate']);
    assert.equal(decision.confidence, 0.83);
    assert.equal(decision.band, 'medium');
  });

  it('a listing of the case itself wins over its unit, and the unit does not compete with it', () => {
    const unit = product({ asin: 'B0UNIT0001', eans: ['0012345678905'] });
    const casePack = product({ asin: 'B0CASE0001', eans: ['10012345678902'] });
    const decision = decideMatch({ code: code('10012345678902'), items: [unit, casePack] });
    assert.equal(decision.asin, 'B0CASE0001');
    assert.equal(decision.match_type, 'exact');
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'single_candidate']);
    assert.equal(decision.candidates[1]?.asin, 'B0UNIT0001');
    assert.equal(decision.candidates[1]?.match_type, 'partial');
  });

  it('partial: ambiguous_8_digit when the item lists the UPC-E reading of an 8-digit code', () => {
    const item = product({ asin: 'B0UPCEREAD', upcs: ['123456000070'] });
    const decision = decideMatch({ code: code('12345670'), items: [item] });
    assert.equal(decision.match_type, 'partial');
    assert.deepEqual(decision.reasons, ['ambiguous_8_digit', 'single_candidate']);
  });

  it('both readings of an 8-digit code found items: they compete (multiple_candidates:2)', () => {
    const ean8 = product({ asin: 'B0EAN80001', eans: ['12345670'] });
    const upcE = product({ asin: 'B0UPCEREAD', upcs: ['123456000070'] });
    const decision = decideMatch({ code: code('12345670'), items: [upcE, ean8] });
    assert.equal(decision.asin, 'B0EAN80001');
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'multiple_candidates:2']);
    assert.equal(decision.confidence, 0.8);
  });

  it('an exact match wins over a partial one whatever the provider order', () => {
    const isbn10 = product({ asin: 'B0ISBN1001', isbns: ['0545162076'] });
    const exact = product({ asin: 'B0EXACT001', eans: ['9780545162074'] });
    const decision = decideMatch({ code: code('9780545162074'), items: [isbn10, exact] });
    assert.equal(decision.asin, 'B0EXACT001');
    assert.equal(decision.match_type, 'exact');
  });

  it('none: no_results when the search returned nothing', () => {
    const decision = decideMatch({ code: code('3017620422003'), items: [] });
    assert.equal(decision.asin, null);
    assert.equal(decision.match_type, 'none');
    assert.equal(decision.confidence, 0);
    assert.deepEqual(decision.reasons, ['no_results']);
    assert.deepEqual(decision.candidates, []);
  });

  it('none: items listing other codes are noise even when only one came back', () => {
    const other = fromWire(creatorsNoise('B0NOISE001', 'Pâte à tartiner bio', ['3017620425035']));
    const decision = decideMatch({ code: code('3017620422003'), items: [other] });
    assert.equal(decision.match_type, 'none');
    assert.deepEqual(decision.reasons, ['noise_only']);
    assert.equal(decision.candidates[0]?.rejected, true);
    assert.deepEqual(decision.candidates[0]?.reasons, ['noise', 'ids_conflict']);
    assert.equal(decision.candidates[0]?.rank, null);
  });

  it('none: an item without external ids and no row title to compare is noise', () => {
    const decision = decideMatch({
      code: code('3017620422003'),
      items: [fromWire(creatorsNoise('B0NOIDS001', 'Pâte à tartiner 400 g'))],
    });
    assert.equal(decision.match_type, 'none');
  });

  it('search noise next to the match is listed as rejected, after the ranked candidates', () => {
    const items = [
      fromWire(creatorsNoise('B0NOISE001', 'Tartine grillée')),
      fromWire(CREATORS_SPREAD),
      fromWire(creatorsNoise('B0NOISE002', 'Pâte à modeler', ['4006381333931'])),
    ];
    const decision = decideMatch({ code: code('3017620422003'), items });
    assert.equal(decision.asin, 'B0EXAMPLE1');
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'single_candidate']);
    assert.deepEqual(
      decision.candidates.map((c) => [c.asin, c.rank, c.rejected]),
      [
        ['B0EXAMPLE1', 1, false],
        ['B0NOISE001', null, true],
        ['B0NOISE002', null, true],
      ],
    );
  });

  it('the same ASIN returned twice (overlapping pages) is one candidate', () => {
    const item = fromWire(CREATORS_SPREAD);
    const decision = decideMatch({ code: code('3017620422003'), items: [item, item] });
    assert.equal(decision.candidates.length, 1);
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'single_candidate']);
  });

  it('explicit forms replace the code alternatives', () => {
    const unit = product({ asin: 'B0UNIT0001', eans: ['0012345678905'] });
    const decision = decideMatch({ code: code('10012345678902'), forms: [], items: [unit] });
    assert.equal(decision.match_type, 'none');
  });
});
