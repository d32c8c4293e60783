import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  conditionInText,
  listingCondition,
  listingLiveness,
} from '../../src/matching/listing-condition.js';
import { packInText } from '../../src/matching/pack-phrases.js';
import { listingPack, rowPack } from '../../src/matching/pack-quantity.js';
import { variantConflict } from '../../src/matching/variant-words.js';
import { product } from './fixtures.js';

describe('pack phrases (row and listing titles)', () => {
  const packs: [string, string, number][] = [
    ['fr', 'Coca-Cola 33cl x6', 6],
    ['fr', 'Eau minérale - Lot de 12', 12],
    ['fr', 'Bière blonde, carton de 12 bouteilles', 12],
    ['fr', 'Perrier 6 x 33cl', 6],
    ['fr', 'Evian (6 x 1 L)', 6],
    ['fr', 'Chips nature (Pack de 6)', 6],
    ['fr', 'Compote pomme x8', 8],
    ['fr', 'EAU 6X1,5L', 6],
    ['en', 'Pilot G2 pens, pack of 12', 12],
    ['en', 'Energy drink 500 ml (24 x 500 ml)', 24],
    ['en', 'Sparkling water 12-Pack', 12],
    ['en', 'Soda 330 ml x 24', 24],
    ['de', 'Haribo Goldbären 6er Pack', 6],
    ['de', 'Duschgel 6er-Pack', 6],
    ['de', 'Mineralwasser (Packung mit 6)', 6],
    ['de', 'Cola 24 Dosen', 24],
    ['es', 'Batido chocolate paquete de 6', 6],
    ['es', 'Refresco caja de 24 latas', 24],
    ['es', 'Leche (Pack de 6)', 6],
    ['it', 'Tè freddo limone confezione da 6', 6],
    ['it', 'Acqua (conf. da 12)', 12],
    ['it', 'Birra 6 bottiglie', 6],
    ['nl', 'Siroop verpakking van 6', 6],
    ['nl', 'Cola multipack 4', 4],
    ['nl', 'Bier 12 blikjes', 12],
  ];
  for (const [lang, title, n] of packs) {
    it(`${lang}: "${title}" → ${n}`, () => assert.equal(packInText(title), n));
  }

  const notPacks = [
    'Coca-Cola 330 ml',
    'Lot',
    'Lot découverte',
    'Sony X100 camera',
    'Xperia X10 smartphone',
    'Shampoing 2-in-1',
    'Shampoo 3 in 1',
    'Cadre photo 20 x 30 cm',
    'iPhone 12 case',
    'Lego set 42',
    'Puzzle 1000 pièces',
    'Model X8 - black',
    'RTX 3080',
    'Nutella 400 g',
    'Pack 500 g',
  ];
  for (const title of notPacks) {
    it(`"${title}" states no pack`, () => assert.equal(packInText(title), null));
  }

  it('a listing reads attributes, then its title, then productInfo.unitCount; else one unit', () => {
    const attr = product({
      asin: 'B0A',
      title: 'Pens',
      variation_attributes: { item_package_quantity: '3' },
    });
    assert.deepEqual(listingPack(attr), { count: 3, stated: true });
    const counted = product({ asin: 'B0B', title: 'Evian 1 L', unit_count: 6 });
    assert.deepEqual(listingPack(counted), { count: 6, stated: true });
    const titled = product({ asin: 'B0C', title: 'Evian 1 L (Pack de 6)', unit_count: 1 });
    assert.deepEqual(listingPack(titled), { count: 6, stated: true });
    assert.deepEqual(listingPack(product({ asin: 'B0D', title: 'Evian 1 L' })), {
      count: 1,
      stated: false,
    });
    assert.equal(listingPack(product({ asin: 'B0E' })), null);
  });

  it('a row reads its quantity column, then its title; a unit title means 1; codes only: unknown', () => {
    assert.deepEqual(rowPack({ quantity: 12, title: 'Evian x6' }), { count: 12, stated: true });
    assert.deepEqual(rowPack({ title: 'Evian 1 L x6' }), { count: 6, stated: true });
    assert.deepEqual(rowPack({ title: 'Evian 1 L' }), { count: 1, stated: false });
    assert.equal(rowPack({}), null);
  });
});

describe('listing condition and liveness', () => {
  const renewed = [
    'iPhone 12 (Reconditionné)',
    'Reconditionné - Samsung Galaxy S21',
    'Kindle Paperwhite (Renewed)',
    'Bose QC35 - Refurbished',
    'Dyson V8 (Generalüberholt)',
    'Xiaomi Redmi (Reacondicionado)',
    'Lenovo ThinkPad ricondizionato',
    'Apple iPad gereviseerd',
    'Sony WH-1000XM4 remis à neuf',
  ];
  for (const title of renewed) {
    it(`"${title}" is renewed`, () => assert.equal(conditionInText(title), 'renewed'));
  }
  for (const title of [
    "Livre d'occasion",
    'Kamera gebraucht',
    'Used book - good',
    'Cámara usada',
  ]) {
    it(`"${title}" is used`, () => assert.equal(conditionInText(title), 'used'));
  }
  for (const title of [
    'Coffret cadeau pour toute occasion',
    'Easy to use blender',
    'Nutella 400 g',
  ]) {
    it(`"${title}" is new`, () => assert.equal(conditionInText(title), 'new'));
  }

  it('the offer condition counts even when the title says nothing', () => {
    assert.equal(
      listingCondition(product({ asin: 'B0R', title: 'Kindle', condition: 'Refurbished' })),
      'renewed',
    );
    assert.equal(
      listingCondition(product({ asin: 'B0U', title: 'Kindle', condition: 'Used' })),
      'used',
    );
    assert.equal(
      listingCondition(product({ asin: 'B0N', title: 'Kindle', condition: 'New' })),
      'new',
    );
  });

  it('liveness: an offer is live; out of stock or unavailable is dead; no offer data is unknown', () => {
    assert.equal(listingLiveness(product({ asin: 'B1', price: 3.5 })), 'live');
    assert.equal(listingLiveness(product({ asin: 'B2', availability: 'In Stock' })), 'live');
    assert.equal(listingLiveness(product({ asin: 'B3', availability: 'Out of Stock' })), 'dead');
    assert.equal(
      listingLiveness(product({ asin: 'B4', availability: 'Actuellement indisponible.' })),
      'dead',
    );
    assert.equal(listingLiveness(product({ asin: 'B5' })), 'unknown');
  });
});

describe('variant words', () => {
  it('flavours, scents, colours and measures differ across languages', () => {
    assert.equal(
      variantConflict('Confiture fraise 370 g', 'Confiture abricot 370 g')?.dimension,
      'flavour',
    );
    assert.equal(variantConflict('Duschgel Lavendel', 'Duschgel Vanille')?.dimension, 'flavour');
    assert.equal(variantConflict('Bolígrafo negro', 'Bolígrafo azul')?.dimension, 'colour');
    assert.equal(variantConflict('Siroop 75 cl', 'Siroop 1,5 l')?.dimension, 'measure');
    assert.equal(variantConflict('T-shirt XL', 'T-shirt XXL')?.dimension, 'size');
  });

  it('the same value in two languages, or a value only one side names, is no conflict', () => {
    assert.equal(variantConflict('Stylo rouge', 'Pen red'), null);
    assert.equal(variantConflict('Confiture 370 g', 'Confiture fraise 370 g'), null);
    assert.equal(variantConflict('Cola 33cl', 'Cola 6 x 33 cl'), null);
    assert.equal(
      variantConflict('Tè freddo limone 1,5 l', 'San Benedetto Tè freddo limone 1.5 L'),
      null,
    );
  });
});
