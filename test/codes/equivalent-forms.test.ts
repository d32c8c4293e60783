import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codeFamily, equivalentForms, isValidAsin, parseCode } from '../../src/codes/index.js';

describe('equivalentForms', () => {
  it('lists EAN-13, GTIN-14 and UPC-A of a UPC', () => {
    const expected = ['0049000028911', '00049000028911', '049000028911'];
    assert.deepEqual(equivalentForms('049000028911'), expected);
    assert.deepEqual(equivalentForms('0049000028911'), expected);
    assert.deepEqual(equivalentForms('00049000028911'), expected);
  });

  it('lists ISBN-13, GTIN-14 and ISBN-10 of a book', () => {
    const expected = ['9780306406157', '09780306406157', '0306406152'];
    assert.deepEqual(equivalentForms('0306406152'), expected);
    assert.deepEqual(equivalentForms('978-0-306-40615-7'), expected);
  });

  it('lists the GS1 forms of an EAN-8', () => {
    assert.deepEqual(equivalentForms('96385074'), [
      '96385074',
      '00000096385074',
      '0000096385074',
      '000096385074',
    ]);
  });

  it('lists the UPC-A forms of a UPC-E', () => {
    assert.deepEqual(equivalentForms('04252614'), [
      '0042100005264',
      '00042100005264',
      '042100005264',
    ]);
  });

  it('lists only the 14 digits of a case pack', () => {
    assert.deepEqual(equivalentForms('10049000028918'), ['10049000028918']);
  });

  it('lists nothing for an invalid code', () => {
    assert.deepEqual(equivalentForms('3017620422004'), []);
    assert.deepEqual(equivalentForms(''), []);
  });

  it('lists forms that all parse to the same GTIN-14', () => {
    for (const code of ['3017620422003', '049000028911', '0306406152', '96385074', '04252614']) {
      const gtins = new Set(
        equivalentForms(code)
          .map((form) => parseCode(form))
          .map((p) => p.valid && p.gtin14),
      );
      assert.equal(gtins.size, 1, code);
    }
  });
});

describe('isValidAsin', () => {
  it('accepts B0 followed by 8 uppercase alphanumerics', () => {
    assert.equal(isValidAsin('B07XJ8C8F5'), true);
    assert.equal(isValidAsin('B000000000'), true);
  });

  it('accepts a valid ISBN-10 (the ASIN of a book)', () => {
    assert.equal(isValidAsin('0306406152'), true);
    assert.equal(isValidAsin('080442957X'), true);
  });

  it('rejects anything else', () => {
    for (const text of [
      'b07xj8c8f5',
      'B07XJ8C8F',
      'B07XJ8C8F55',
      'A07XJ8C8F5',
      'B1XJ8C8F55',
      '0306406153',
      ' B07XJ8C8F5',
      '',
    ]) {
      assert.equal(isValidAsin(text), false, text);
    }
  });
});

describe('codeFamily', () => {
  it('groups the types that re-parse into each other', () => {
    assert.equal(codeFamily('UPC-A'), codeFamily('EAN-13'));
    assert.equal(codeFamily('UPC-E'), codeFamily('EAN-13'));
    assert.equal(codeFamily('JAN'), 'retail');
    assert.equal(codeFamily('ISBN-10'), codeFamily('ISBN-13'));
    assert.equal(codeFamily('ISSN'), 'serial');
    assert.equal(codeFamily('EAN-8'), 'ean8');
    assert.equal(codeFamily('GTIN-14'), 'case_pack');
  });
});
