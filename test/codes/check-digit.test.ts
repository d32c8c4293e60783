import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeCheckDigit,
  computeIsbn10CheckCharacter,
  expandUpcE,
  isbn10ToIsbn13,
  isbn13ToIsbn10,
  isValidIsbn10,
} from '../../src/codes/index.js';

/** Published codes (check digit last), one or more per type. */
const GS1_VECTORS: ReadonlyArray<readonly [string, string]> = [
  ['EAN-13 (Nutella 400 g)', '3017620422003'],
  ['UPC-A (Coca-Cola 12 oz can)', '049000028911'],
  ['ISBN-13 978', '9780306406157'],
  ['ISBN-13 978 of the X ISBN-10', '9780804429573'],
  ['ISSN 0317-8471 as EAN-13', '9770317847001'],
  ['EAN-8', '96385074'],
  ['UPC-A expanded from UPC-E 01234565', '012345000065'],
  ['UPC-A expanded from UPC-E 04252614', '042100005264'],
  ['GTIN-14 case pack of the Coca-Cola can', '10049000028918'],
];

describe('computeCheckDigit', () => {
  for (const [label, code] of GS1_VECTORS) {
    it(`gives the published check digit of ${label} ${code}`, () => {
      assert.equal(computeCheckDigit(code.slice(0, -1)), Number(code.slice(-1)));
    });
  }

  it('ignores leading zeros (weights run from the right)', () => {
    assert.equal(computeCheckDigit('04900002891'), computeCheckDigit('0004900002891'));
  });

  it('computes a check digit of 0 when the weighted sum is a multiple of 10', () => {
    assert.equal(computeCheckDigit('400638133393'), 1);
    assert.equal(computeCheckDigit('501234567890'), 0);
  });

  it('rejects empty and non-digit input with a TypeError', () => {
    assert.throws(() => computeCheckDigit(''), TypeError);
    assert.throws(() => computeCheckDigit('12a4'), TypeError);
    assert.throws(() => computeCheckDigit(' 123'), TypeError);
  });
});

describe('ISBN-10 check character', () => {
  it('computes digit and X check characters', () => {
    assert.equal(computeIsbn10CheckCharacter('030640615'), '2');
    assert.equal(computeIsbn10CheckCharacter('080442957'), 'X');
  });

  it('validates ISBN-10s, with an uppercase X only', () => {
    assert.equal(isValidIsbn10('0306406152'), true);
    assert.equal(isValidIsbn10('080442957X'), true);
    assert.equal(isValidIsbn10('080442957x'), false);
    assert.equal(isValidIsbn10('0306406153'), false);
    assert.equal(isValidIsbn10('030640615'), false);
  });

  it('rejects input that is not nine digits', () => {
    assert.throws(() => computeIsbn10CheckCharacter('03064061'), TypeError);
  });
});

describe('ISBN conversions', () => {
  it('converts ISBN-10 to ISBN-13 with a recomputed check digit', () => {
    assert.equal(isbn10ToIsbn13('0306406152'), '9780306406157');
    assert.equal(isbn10ToIsbn13('080442957X'), '9780804429573');
  });

  it('converts a 978 ISBN-13 back to ISBN-10, and nothing else', () => {
    assert.equal(isbn13ToIsbn10('9780306406157'), '0306406152');
    assert.equal(isbn13ToIsbn10('9780804429573'), '080442957X');
    assert.equal(isbn13ToIsbn10('9791032300824'), undefined);
    assert.equal(isbn13ToIsbn10('3017620422003'), undefined);
  });
});

describe('expandUpcE', () => {
  const vectors: ReadonlyArray<readonly [string, string, string]> = [
    ['last digit 0', '01234505', '012000003455'],
    ['last digit 1 (published example)', '04252614', '042100005264'],
    ['last digit 2', '01234523', '012200003453'],
    ['last digit 3', '01234531', '012300000451'],
    ['last digit 4', '01234543', '012340000053'],
    ['last digit 6 (published example)', '01234565', '012345000065'],
    ['last digit 9', '01234596', '012345000096'],
    ['number system 1', '11234562', '112345000062'],
  ];
  for (const [label, upcE, upcA] of vectors) {
    it(`expands ${upcE} (${label}) to ${upcA}, whose check digit is the UPC-E's`, () => {
      assert.equal(expandUpcE(upcE), upcA);
      assert.equal(computeCheckDigit(upcA.slice(0, 11)), Number(upcE.slice(-1)));
    });
  }

  it('refuses number systems other than 0 and 1', () => {
    assert.equal(expandUpcE('21234565'), undefined);
    assert.equal(expandUpcE('96385074'), undefined);
  });
});
