import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCode } from '../../src/codes/index.js';
import type { ParsedCode, ValidCode } from '../../src/codes/index.js';

function valid(parsed: ParsedCode): ValidCode {
  assert.equal(parsed.valid, true, `expected a valid code, got ${JSON.stringify(parsed)}`);
  return parsed as ValidCode;
}

describe('parseCode: types and normalised forms', () => {
  it('reads an EAN-13', () => {
    assert.deepEqual(parseCode('3017620422003'), {
      valid: true,
      raw: '3017620422003',
      code: '3017620422003',
      gtin14: '03017620422003',
      type: 'EAN-13',
      flags: [],
      alternatives: [],
    });
  });

  it('reads a UPC-A, displays it as EAN-13 and offers the 12 digits', () => {
    const parsed = valid(parseCode('049000028911'));
    assert.equal(parsed.type, 'UPC-A');
    assert.equal(parsed.code, '0049000028911');
    assert.equal(parsed.gtin14, '00049000028911');
    assert.deepEqual(parsed.flags, []);
    assert.deepEqual(parsed.alternatives, [
      { code: '049000028911', gtin14: '00049000028911', type: 'UPC-A', relation: 'upc_equivalent' },
    ]);
  });

  it('reads a 0-prefixed EAN-13 with its UPC-A alternative', () => {
    const parsed = valid(parseCode('0049000028911'));
    assert.equal(parsed.type, 'EAN-13');
    assert.equal(parsed.code, '0049000028911');
    assert.deepEqual(parsed.alternatives, [
      { code: '049000028911', gtin14: '00049000028911', type: 'UPC-A', relation: 'upc_equivalent' },
    ]);
  });

  it('reads a 978 ISBN-13 with its ISBN-10 alternative', () => {
    const parsed = valid(parseCode('9780306406157'));
    assert.equal(parsed.type, 'ISBN-13');
    assert.equal(parsed.gtin14, '09780306406157');
    assert.deepEqual(parsed.alternatives, [
      {
        code: '0306406152',
        gtin14: '09780306406157',
        type: 'ISBN-10',
        relation: 'isbn10_equivalent',
      },
    ]);
  });

  it('reads a 979 ISBN-13 without an ISBN-10', () => {
    const parsed = valid(parseCode('9791032300824'));
    assert.equal(parsed.type, 'ISBN-13');
    assert.deepEqual(parsed.alternatives, []);
  });

  it('converts an ISBN-10 to ISBN-13 and keeps the ISBN-10 as an alternative', () => {
    const parsed = valid(parseCode('0306406152'));
    assert.equal(parsed.type, 'ISBN-10');
    assert.equal(parsed.code, '9780306406157');
    assert.equal(parsed.gtin14, '09780306406157');
    assert.deepEqual(parsed.alternatives, [
      {
        code: '0306406152',
        gtin14: '09780306406157',
        type: 'ISBN-10',
        relation: 'isbn10_equivalent',
      },
    ]);
  });

  it('reads an ISBN-10 whose check character is X, in either case', () => {
    for (const raw of ['080442957X', '0-8044-2957-x']) {
      const parsed = valid(parseCode(raw));
      assert.equal(parsed.type, 'ISBN-10');
      assert.equal(parsed.code, '9780804429573');
      assert.equal(parsed.alternatives[0]?.code, '080442957X');
    }
  });

  it('reads a 977 code as an ISSN', () => {
    const parsed = valid(parseCode('9770317847001'));
    assert.equal(parsed.type, 'ISSN');
    assert.equal(parsed.code, '9770317847001');
    assert.equal(parsed.gtin14, '09770317847001');
  });

  it('reads 45 and 49 prefixes as JAN', () => {
    assert.equal(valid(parseCode('4902102072618')).type, 'JAN');
    assert.equal(valid(parseCode('4501234567896')).type, 'JAN');
  });

  it('reads an EAN-8 with a GTIN-14 of six leading zeros', () => {
    const parsed = valid(parseCode('96385074'));
    assert.equal(parsed.type, 'EAN-8');
    assert.equal(parsed.code, '96385074');
    assert.equal(parsed.gtin14, '00000096385074');
  });

  it('reads a GTIN-8 written with 12, 13 or 14 digits as the EAN-8', () => {
    for (const raw of ['000096385074', '0000096385074', '00000096385074']) {
      const parsed = valid(parseCode(raw));
      assert.equal(parsed.type, 'EAN-8');
      assert.equal(parsed.code, '96385074');
    }
  });
});

describe('parseCode: 8 digits', () => {
  it('expands a UPC-E (only the UPC-E check holds) to its UPC-A', () => {
    const parsed = valid(parseCode('04252614'));
    assert.equal(parsed.type, 'UPC-E');
    assert.equal(parsed.code, '0042100005264');
    assert.equal(parsed.gtin14, '00042100005264');
    assert.deepEqual(parsed.alternatives, [
      { code: '042100005264', gtin14: '00042100005264', type: 'UPC-A', relation: 'upc_equivalent' },
    ]);
  });

  it('reads 01234565 as the UPC-E of 012345000065: an EAN-8 starting with 0 is an RCN-8', () => {
    const parsed = valid(parseCode('01234565'));
    assert.equal(parsed.type, 'UPC-E');
    assert.equal(parsed.gtin14, '00012345000065');
    assert.deepEqual(parsed.flags, []);
  });

  it('keeps both readings when the EAN-8 and the UPC-E checks both hold', () => {
    const parsed = valid(parseCode('12345670'));
    assert.equal(parsed.type, 'EAN-8');
    assert.equal(parsed.code, '12345670');
    assert.equal(parsed.gtin14, '00000012345670');
    assert.deepEqual(parsed.flags, ['ambiguous_8_digit']);
    assert.deepEqual(parsed.alternatives, [
      {
        code: '0123456000070',
        gtin14: '00123456000070',
        type: 'UPC-E',
        relation: 'ambiguous_8_digit',
      },
      { code: '123456000070', gtin14: '00123456000070', type: 'UPC-A', relation: 'upc_equivalent' },
    ]);
  });

  it('reads an EAN-8 whose UPC-E check fails as a plain EAN-8', () => {
    assert.deepEqual(valid(parseCode('96385074')).flags, []);
  });
});

describe('parseCode: GTIN-14', () => {
  it('reads indicator 0 as the EAN-13 itself', () => {
    const parsed = valid(parseCode('03017620422003'));
    assert.equal(parsed.type, 'EAN-13');
    assert.equal(parsed.code, '3017620422003');
    assert.equal(parsed.gtin14, '03017620422003');
  });

  it('reads indicators 1-8 as a case pack with the unit as an alternative', () => {
    const parsed = valid(parseCode('10049000028918'));
    assert.equal(parsed.type, 'GTIN-14');
    assert.equal(parsed.code, '10049000028918');
    assert.equal(parsed.gtin14, '10049000028918');
    assert.deepEqual(parsed.flags, ['case_pack']);
    assert.deepEqual(parsed.alternatives, [
      {
        code: '0049000028911',
        gtin14: '00049000028911',
        type: 'EAN-13',
        relation: 'case_pack_unit',
      },
    ]);
  });

  it('offers a book as the unit of a book case pack', () => {
    const parsed = valid(parseCode('59780306406152'));
    assert.equal(parsed.alternatives[0]?.code, '9780306406157');
    assert.equal(parsed.alternatives[0]?.type, 'ISBN-13');
  });
});

describe('parseCode: lost leading zeros', () => {
  it('restores the zero of a UPC-A given as 11 digits', () => {
    const parsed = valid(parseCode('49000028911'));
    assert.equal(parsed.type, 'UPC-A');
    assert.equal(parsed.gtin14, '00049000028911');
    assert.deepEqual(parsed.flags, ['repaired_leading_zeros']);
  });

  it('restores the zero of a UPC-E given as 7 digits', () => {
    const parsed = valid(parseCode(4252614));
    assert.equal(parsed.type, 'UPC-E');
    assert.equal(parsed.gtin14, '00042100005264');
    assert.deepEqual(parsed.flags, ['repaired_leading_zeros', 'numeric_cell']);
  });

  it('restores the zero of an ISBN-10 given as 9 digits', () => {
    const parsed = valid(parseCode(306406152));
    assert.equal(parsed.type, 'ISBN-10');
    assert.equal(parsed.code, '9780306406157');
    assert.ok(parsed.flags.includes('repaired_leading_zeros'));
  });

  it('restores two zeros of a UPC-A given as 10 digits when the ISBN-10 reading fails', () => {
    const parsed = valid(parseCode('1234567895'));
    assert.equal(parsed.type, 'UPC-A');
    assert.equal(parsed.gtin14, '00001234567895');
    assert.ok(parsed.flags.includes('repaired_leading_zeros'));
  });

  it('prefers the ISBN-10 reading of 10 digits when the padded UPC-A check also holds', () => {
    const parsed = valid(parseCode(1286908493));
    assert.equal(parsed.type, 'ISBN-10');
    assert.equal(parsed.gtin14, '09781286908495');
    assert.ok(!parsed.flags.includes('repaired_leading_zeros'));
  });

  it('restores the zero of a GTIN-14 given as 13 digits: the same GTIN as the EAN-13', () => {
    assert.equal(valid(parseCode(49000028911, { numericCell: true })).gtin14, '00049000028911');
  });

  it('does not pad a 12-digit UPC-A', () => {
    assert.deepEqual(valid(parseCode('049000028911')).flags, []);
  });

  it('reads JS numbers in full and flags them as numeric cells', () => {
    const parsed = valid(parseCode(3017620422003));
    assert.equal(parsed.raw, '3017620422003');
    assert.equal(parsed.gtin14, '03017620422003');
    assert.deepEqual(parsed.flags, ['numeric_cell']);
  });

  it('flags a string from a numeric cell when told so', () => {
    assert.deepEqual(valid(parseCode('3017620422003', { numericCell: true })).flags, [
      'numeric_cell',
    ]);
  });

  it('reads the number 4.00638e12 as the 13 digits it holds', () => {
    const parsed = parseCode(4.00638e12);
    assert.equal(parsed.valid, false);
    assert.equal(parsed.valid ? '' : parsed.reason, 'bad_check_digit');
    assert.equal(parsed.valid ? '' : parsed.digits, '4006380000000');
  });
});
