import { computeCheckDigit, hasValidCheckDigit } from './check-digit.js';
import { isbn13ToIsbn10, withCheckDigit } from './conversions.js';
import { classifyEan13Prefix, isRestrictedEan8 } from './prefixes.js';
import { isRejection, messages, reject } from './rejection.js';
import type { Rejection } from './rejection.js';
import type { AlternativeCode, CodeFlag, CodeType } from './types.js';

/** A successful reading of a code, before the cell-level flags are added. */
export interface Reading {
  code: string;
  gtin14: string;
  type: CodeType;
  flags: CodeFlag[];
  alternatives: AlternativeCode[];
}

/** The type a code was read as from its length, before its prefix refines it. */
export type DetectedType = 'EAN-13' | 'UPC-A' | 'UPC-E' | 'ISBN-10' | 'GTIN-14';

function reading(
  code: string,
  gtin14: string,
  type: CodeType,
  alternatives: AlternativeCode[] = [],
): Reading {
  return { code, gtin14, type, flags: [], alternatives };
}

/** Reads 8 digits whose GS1 check digit holds as an EAN-8; RCN-8 numbers are rejected. */
export function readEan8(ean8: string): Reading | Rejection {
  if (isRestrictedEan8(ean8)) return reject('restricted_prefix', messages.restrictedEan8(ean8));
  return reading(ean8, `000000${ean8}`, 'EAN-8');
}

function readIsbn13(isbn13: string, type: 'ISBN-13' | 'ISBN-10'): Reading {
  const gtin14 = `0${isbn13}`;
  const isbn10 = isbn13ToIsbn10(isbn13);
  const alternatives: AlternativeCode[] = isbn10
    ? [{ code: isbn10, gtin14, type: 'ISBN-10', relation: 'isbn10_equivalent' }]
    : [];
  return reading(isbn13, gtin14, type, alternatives);
}

function readEan13(ean13: string, detected: DetectedType): Reading | Rejection {
  const gtin14 = `0${ean13}`;
  const prefix = classifyEan13Prefix(ean13);
  switch (prefix.kind) {
    case 'restricted':
      return reject('restricted_prefix', messages.restricted(ean13, prefix.prefix, prefix.use));
    case 'gtin8':
      return readEan8(ean13.slice(5));
    case 'issn':
      return reading(ean13, gtin14, 'ISSN');
    case 'isbn':
      return readIsbn13(ean13, detected === 'ISBN-10' ? 'ISBN-10' : 'ISBN-13');
    case 'jan':
      return reading(ean13, gtin14, 'JAN');
    case 'general': {
      const type = detected === 'UPC-A' || detected === 'UPC-E' ? detected : 'EAN-13';
      const alternatives: AlternativeCode[] = ean13.startsWith('0')
        ? [{ code: ean13.slice(1), gtin14, type: 'UPC-A', relation: 'upc_equivalent' }]
        : [];
      return reading(ean13, gtin14, type, alternatives);
    }
  }
}

function readCasePack(gtin14: string): Reading | Rejection {
  const unit = readEan13(withCheckDigit(gtin14.slice(1, 13)), 'EAN-13');
  if (isRejection(unit)) return unit;
  const alternative: AlternativeCode = {
    code: unit.code,
    gtin14: unit.gtin14,
    type: unit.type,
    relation: 'case_pack_unit',
  };
  return { ...reading(gtin14, gtin14, 'GTIN-14', [alternative]), flags: ['case_pack'] };
}

/**
 * Reads a GTIN-14 whose check digit holds: indicator 0 is the EAN-13 itself (refined by its
 * prefix), 1–8 a case pack, 9 a variable-measure item (rejected).
 */
export function readGtin14(gtin14: string, detected: DetectedType): Reading | Rejection {
  const indicator = gtin14.charAt(0);
  if (indicator === '9') return reject('variable_measure', messages.variableMeasure(gtin14));
  if (indicator !== '0') return readCasePack(gtin14);
  return readEan13(gtin14.slice(1), detected);
}

/** Reads 12, 13 or 14 digits: verifies the GS1 check digit, then reads the GTIN-14. */
export function readGs1(digits: string, detected: DetectedType): Reading | Rejection {
  if (!hasValidCheckDigit(digits)) {
    const expected = String(computeCheckDigit(digits.slice(0, -1)));
    return reject('bad_check_digit', messages.badCheck(digits, digits.slice(-1), expected));
  }
  return readGtin14(digits.padStart(14, '0'), detected);
}
