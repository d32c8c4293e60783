import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readListedId } from '../../src/matching/listed-id.js';
import { packInText } from '../../src/matching/pack-phrases.js';
import { packQuantity } from '../../src/matching/pack-quantity.js';
import { availabilityRank } from '../../src/matching/rank-candidates.js';
import {
  brandAgreement,
  normalizeBrand,
  titleSimilarity,
  titleTokens,
} from '../../src/matching/text-similarity.js';
import { product } from './fixtures.js';

describe('title similarity', () => {
  it('normalises accents, case, punctuation and units', () => {
    assert.deepEqual(titleTokens('Pâte à Tartiner, 400 g!'), ['pate', 'tartiner', '400g']);
  });

  it('is 1 for the same title and 0 for unrelated ones', () => {
    assert.equal(titleSimilarity('Pâte à tartiner 400 g', 'PATE A TARTINER 400G'), 1);
    assert.equal(titleSimilarity('Chaussettes laine', 'Pâte à tartiner 400 g'), 0);
  });

  it('a short supplier title inside a long Amazon title scores high, one shared word low', () => {
    const amazon = 'Nutella Pâte à tartiner aux noisettes et au cacao, pot de 400 g';
    assert.ok(titleSimilarity('Nutella pâte à tartiner 400g', amazon) >= 0.8);
    assert.ok(titleSimilarity('Nutella biscuits', amazon) < 0.5);
  });

  it('abbreviations of 4+ letters agree with the full word; numbers must be equal', () => {
    assert.ok(titleSimilarity('Choc noisette', 'Chocolat noisette') > 0.9);
    assert.ok(titleSimilarity('Spread 400g', 'Spread 4000g') < 0.8);
  });

  it('is 0 when a title has no meaningful token', () => {
    assert.equal(titleSimilarity('de la', 'Pâte à tartiner'), 0);
  });
});

describe('brand agreement', () => {
  it('ignores case, accents and company suffixes; one name may contain the other', () => {
    assert.equal(normalizeBrand('Ferrero S.p.A.'), 'ferrerospa');
    assert.equal(normalizeBrand('Nestlé GmbH'), 'nestle');
    assert.equal(
      brandAgreement('Stabilo', product({ asin: 'B0X', brand: 'Schwan-STABILO' })),
      'match',
    );
    assert.equal(brandAgreement('Nestle', product({ asin: 'B0X', brand: 'Nestlé GmbH' })), 'match');
  });

  it('a different brand is a mismatch even when the title names the row brand', () => {
    const item = product({ asin: 'B0X', brand: 'Generic', title: 'Compatible with Stabilo pens' });
    assert.equal(brandAgreement('Stabilo', item), 'mismatch');
  });

  it('null when the item gives no brand, manufacturer or title naming it', () => {
    assert.equal(brandAgreement('Stabilo', product({ asin: 'B0X', title: 'Fineliner' })), null);
    assert.equal(brandAgreement('---', product({ asin: 'B0X', brand: 'Stabilo' })), null);
  });
});

describe('pack quantity', () => {
  const cases: [string, number | null][] = [
    ['Stabilo Point 88 (Pack of 10)', 10],
    ['Coca-Cola 6er Pack', 6],
    ['Eau minérale, lot de 12', 12],
    ['Pâte à tartiner 6 x 400 g', 6],
    ['Coca-Cola 33cl x 24', 24],
    ['Set of 3 mugs', 3],
    ['Papel higiénico paquete de 24', 24],
    ['Pâte à tartiner 400 g', null],
    ['iPhone 15 128GB', null],
  ];
  for (const [title, expected] of cases) {
    it(`"${title}" → ${String(expected)}`, () => assert.equal(packInText(title), expected));
  }

  it('reads variation attributes before the title', () => {
    const item = product({
      asin: 'B0X',
      title: 'Pens (Pack of 10)',
      variation_attributes: { item_package_quantity: '20' },
    });
    assert.equal(packQuantity(item), 20);
    assert.equal(
      packQuantity(product({ asin: 'B0X', variation_attributes: { Size: 'Pack of 4' } })),
      4,
    );
  });
});

describe('listed external ids', () => {
  it('pads GTINs to 14 digits without conversion', () => {
    assert.deepEqual(readListedId('717356278525', 'upcs')[0], {
      gtin14: '00717356278525',
      conversion: null,
    });
  });

  it('converts an ISBN-10 (isbn10_equivalent) and a UPC-E in the UPC list (upc_equivalent)', () => {
    assert.deepEqual(readListedId('0545162076', 'isbns'), [
      { gtin14: '09780545162074', conversion: 'isbn10_equivalent' },
    ]);
    assert.deepEqual(readListedId('01234565', 'upcs')[1], {
      gtin14: '00012345000065',
      conversion: 'upc_equivalent',
    });
    assert.equal(readListedId('01234565', 'eans').length, 1);
  });

  it('ignores what is no code', () => {
    assert.deepEqual(readListedId('N/A', 'eans'), []);
    assert.deepEqual(readListedId('12345', 'eans'), []);
  });
});

describe('availability order', () => {
  it('in stock 0, unknown 1, unavailable 2 — in several languages and as OffersV2 types', () => {
    const rank = (availability: string | null) =>
      availabilityRank(product({ asin: 'B0X', availability }));
    assert.deepEqual(
      [
        'In Stock',
        'IN_STOCK',
        'En stock',
        'Auf Lager',
        null,
        'Usually ships soon?',
        'OUT_OF_STOCK',
        'Currently unavailable.',
        'Actuellement indisponible.',
      ].map(rank),
      [0, 0, 0, 0, 1, 1, 2, 2, 2],
    );
  });
});
