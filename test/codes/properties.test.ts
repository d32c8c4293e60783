import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  codeFamily,
  computeCheckDigit,
  computeIsbn10CheckCharacter,
  isbn10ToIsbn13,
  parseCode,
} from '../../src/codes/index.js';
import type { ParsedCode } from '../../src/codes/index.js';

const digits = (length: number) => fc.stringMatching(new RegExp(`^\\d{${length}}$`));
const withCheck = (body: string) => body + String(computeCheckDigit(body));

const ean13 = digits(12).map(withCheck);
const upcA = digits(11).map(withCheck);
const isbn10 = digits(9).map((body) => body + computeIsbn10CheckCharacter(body));
const anyLengthCode = fc.integer({ min: 6, max: 13 }).chain((n) => digits(n).map(withCheck));
const separator = fc.constantFrom(' ', '-', '.', '\u00A0', '\u202F', '\t');

function identity(parsed: ParsedCode): string {
  return parsed.valid ? parsed.gtin14 : `invalid:${parsed.reason}`;
}

describe('parseCode properties', () => {
  it('never throws, whatever the cell', () => {
    const cell = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(null));
    fc.assert(
      fc.property(cell, (raw) => {
        const parsed = parseCode(raw);
        assert.equal(typeof parsed.valid, 'boolean');
      }),
    );
  });

  it('is idempotent: re-parsing the display form or the GTIN-14 keeps identity and family', () => {
    const code = fc.oneof(ean13, upcA, isbn10, anyLengthCode, digits(13).map(withCheck));
    fc.assert(
      fc.property(code, (raw) => {
        const parsed = parseCode(raw);
        if (!parsed.valid) return;
        for (const form of [parsed.code, parsed.gtin14]) {
          const again = parseCode(form);
          assert.ok(again.valid, `${raw} → ${form} became invalid`);
          assert.equal(again.gtin14, parsed.gtin14);
          assert.equal(codeFamily(again.type), codeFamily(parsed.type));
          assert.equal(again.code, parsed.code);
        }
      }),
    );
  });

  it('gives UPC-A, EAN-13 and GTIN-14 forms of one code the same identity', () => {
    fc.assert(
      fc.property(upcA, (code) => {
        const expected = identity(parseCode(code));
        assert.equal(identity(parseCode(`0${code}`)), expected);
        assert.equal(identity(parseCode(`00${code}`)), expected);
      }),
    );
  });

  it('gives ISBN-10 and ISBN-13 the same identity', () => {
    fc.assert(
      fc.property(isbn10, (code) => {
        const fromTen = parseCode(code);
        const fromThirteen = parseCode(isbn10ToIsbn13(code));
        assert.ok(fromTen.valid && fromThirteen.valid);
        assert.equal(fromTen.gtin14, fromThirteen.gtin14);
        assert.equal(fromTen.code, fromThirteen.code);
      }),
    );
  });

  it('repairs numeric cells that lost the leading zeros of a UPC-A', () => {
    const zeroUpc = fc
      .tuple(fc.integer({ min: 1, max: 9 }), digits(9))
      .map(([first, rest]) => withCheck(`0${first}${rest}`));
    fc.assert(
      fc.property(zeroUpc, (code) => {
        const fromText = parseCode(code);
        const fromNumber = parseCode(Number(code));
        assert.equal(identity(fromNumber), identity(fromText));
        if (fromNumber.valid) assert.ok(fromNumber.flags.includes('repaired_leading_zeros'));
      }),
    );
  });

  it('ignores separators and wrappers around the digits', () => {
    const wrap = fc.constantFrom(
      (s: string) => s,
      (s: string) => `"${s}"`,
      (s: string) => `'${s}`,
      (s: string) => `="${s}"`,
      (s: string) => ` ${s}\t`,
    );
    fc.assert(
      fc.property(ean13, fc.array(fc.tuple(fc.nat(12), separator)), wrap, (code, cuts, wrapper) => {
        let text = code;
        for (const [at, sep] of cuts.sort((a, b) => b[0] - a[0])) {
          text = text.slice(0, at) + sep + text.slice(at);
        }
        // "809900047111.0" is a number cell written with its decimals (a 12-digit UPC-A), read so
        // on purpose: a dot before only zeros at the end is not a separator.
        fc.pre(!/\.\D*0+$/.test(text));
        assert.equal(identity(parseCode(wrapper(text))), identity(parseCode(code)));
      }),
    );
  });

  it('detects every single-digit error in an EAN-13', () => {
    fc.assert(
      fc.property(ean13, fc.nat(12), fc.integer({ min: 1, max: 9 }), (code, at, delta) => {
        const changed = String((Number(code[at]) + delta) % 10);
        const typo = code.slice(0, at) + changed + code.slice(at + 1);
        const parsed = parseCode(typo);
        assert.equal(parsed.valid, false);
        assert.equal(parsed.valid ? '' : parsed.reason, 'bad_check_digit');
      }),
    );
  });

  it('accepts a valid EAN-13 unless its prefix is restricted', () => {
    fc.assert(
      fc.property(ean13, (code) => {
        const parsed = parseCode(code);
        if (!parsed.valid) assert.equal(parsed.reason, 'restricted_prefix', code);
      }),
    );
  });
});
