import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCode } from '../../src/codes/index.js';
import type { InvalidCode, ParsedCode } from '../../src/codes/index.js';

function invalid(parsed: ParsedCode): InvalidCode {
  assert.equal(parsed.valid, false, `expected a rejection, got ${JSON.stringify(parsed)}`);
  return parsed as InvalidCode;
}

describe('parseCode: rejections', () => {
  it('rejects empty cells', () => {
    for (const raw of [null, undefined, '', '   ', '\u00A0\t', '""', '=""', "'"]) {
      const parsed = invalid(parseCode(raw));
      assert.equal(parsed.reason, 'empty');
      assert.equal(
        parsed.message,
        'The cell is empty: enter an EAN, UPC, ISBN or GTIN, or remove the row.',
      );
      assert.equal(parsed.digits, undefined);
    }
  });

  it('rejects text that is not a code, naming the offending character', () => {
    const parsed = invalid(parseCode('30176A0422003'));
    assert.equal(parsed.reason, 'non_numeric');
    assert.match(parsed.message, /"30176A0422003" contains "A"/);
    assert.match(parsed.message, /check that the right column is selected/);
  });

  it('rejects an X anywhere but at the end of an ISBN-10', () => {
    assert.equal(invalid(parseCode('08044X2957')).reason, 'non_numeric');
    assert.equal(invalid(parseCode('301762042200X')).reason, 'non_numeric');
  });

  it('rejects numbers that are not whole and positive', () => {
    for (const raw of [-3017620422003, 3017620422003.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const parsed = invalid(parseCode(raw));
      assert.equal(parsed.reason, 'non_numeric');
      assert.match(parsed.message, /not a whole positive number/);
    }
  });

  it('rejects scientific notation and says how to keep the digits', () => {
    for (const raw of ['4.00638E+12', '4,00638E+12', '3.01762E12', '="4.00638E+12"']) {
      const parsed = invalid(parseCode(raw));
      assert.equal(parsed.reason, 'scientific_notation');
      assert.match(parsed.message, /last digits are lost/);
      assert.match(parsed.message, /format the column as Text/);
      assert.match(parsed.message, /CSV export that keeps all the digits/);
    }
  });

  it('rejects lengths no code has', () => {
    for (const raw of ['1', '123456', '301762042200312', '123456789012345678']) {
      const parsed = invalid(parseCode(raw));
      assert.equal(parsed.reason, 'bad_length');
      assert.equal(parsed.digits, raw);
    }
    assert.equal(
      invalid(parseCode('123456')).message,
      '123456 has 6 digits, but a barcode has 8 (EAN-8, UPC-E), 10 (ISBN-10), 12 (UPC-A), ' +
        '13 (EAN-13, ISBN-13) or 14 (GTIN-14): check for missing or extra digits.',
    );
  });

  it('rejects a bad check digit and gives the expected one', () => {
    const parsed = invalid(parseCode('3017620422004'));
    assert.equal(parsed.reason, 'bad_check_digit');
    assert.equal(parsed.digits, '3017620422004');
    assert.equal(
      parsed.message,
      '3017620422004: check digit is 4, expected 3; the code has a typing or scanning error: ' +
        'correct it from the product packaging.',
    );
  });

  it('gives the expected check digit of every reading tried', () => {
    assert.match(invalid(parseCode('049000028912')).message, /check digit is 2, expected 1/);
    assert.match(invalid(parseCode('10049000028911')).message, /check digit is 1, expected 8/);
    assert.match(
      invalid(parseCode('0306406153')).message,
      /0306406153 read as an ISBN-10: check digit is 3, expected 2/,
    );
    assert.match(
      invalid(parseCode('306406153')).message,
      /lost leading 0 restored: check digit is 3, expected 2/,
    );
    assert.match(
      invalid(parseCode('49000028912')).message,
      /049000028912 read as a UPC-A with its lost leading 0 restored: check digit is 2, expected 1/,
    );
    assert.match(
      invalid(parseCode('96385075')).message,
      /check digit is 5, expected 4 as an EAN-8;/,
    );
    assert.match(
      invalid(parseCode('10000015')).message,
      /check digit is 5, expected 4 as an EAN-8 \(or 6 as a UPC-E\)/,
    );
    assert.match(
      invalid(parseCode('11234565')).message,
      /check digit is 5, expected 2 as an EAN-8 or a UPC-E/,
    );
  });

  it('rejects GS1 restricted prefixes and says what they are', () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ['0212345678909', /starts with 021, a variable-measure or in-store code/],
      ['212345678909', /starts with 021, a variable-measure or in-store code/],
      ['0412345678903', /starts with 041, a company-internal code/],
      ['2001234567893', /starts with 200, an in-store or company-internal code/],
      ['9801234567892', /starts with 980, a refund receipt/],
      ['9811234567891', /starts with 981, a coupon/],
      ['9901234567899', /starts with 990, a coupon/],
      ['10212345678906', /starts with 021/],
    ];
    for (const [raw, pattern] of cases) {
      const parsed = invalid(parseCode(raw));
      assert.equal(parsed.reason, 'restricted_prefix', raw);
      assert.match(parsed.message, pattern);
      assert.match(parsed.message, /use the manufacturer barcode printed on the product/);
    }
  });

  it('rejects EAN-8 restricted circulation numbers (prefix 0 or 2) with no UPC-E reading', () => {
    const parsed = invalid(parseCode('20123451'));
    assert.equal(parsed.reason, 'restricted_prefix');
    assert.match(parsed.message, /RCN-8/);
  });

  it('rejects GTIN-14 indicator 9 as variable measure', () => {
    const parsed = invalid(parseCode('93017620422006'));
    assert.equal(parsed.reason, 'variable_measure');
    assert.match(parsed.message, /indicator 9, a variable-measure item/);
    assert.match(parsed.message, /use the barcode of the fixed-measure consumer unit/);
  });

  it('keeps the raw cell and the cleaned digits in every rejection with digits', () => {
    const parsed = invalid(parseCode(' 3017-6204-22004 '));
    assert.equal(parsed.raw, ' 3017-6204-22004 ');
    assert.equal(parsed.digits, '3017620422004');
  });
});
