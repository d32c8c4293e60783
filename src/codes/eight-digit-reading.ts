import { computeCheckDigit, hasValidCheckDigit } from './check-digit.js';
import { expandUpcE } from './conversions.js';
import { readEan8, readGtin14 } from './gtin-reading.js';
import type { Reading } from './gtin-reading.js';
import { isRejection, messages, reject } from './rejection.js';
import type { Rejection } from './rejection.js';

/**
 * The UPC-E reading of 8 digits, when the number system is 0 or 1 and the check digit of the
 * expanded UPC-A holds. Expansions starting with 0000 fall in the range GS1 leaves unused to
 * avoid collisions with GTIN-8, so they are no UPC-E.
 */
function readUpcE(digits: string): Reading | Rejection | undefined {
  const upcA = expandUpcE(digits);
  if (upcA === undefined || !hasValidCheckDigit(upcA) || upcA.startsWith('0000')) return undefined;
  return readGtin14(`00${upcA}`, 'UPC-E');
}

function badCheckDigit(digits: string): Rejection {
  const actual = digits.charAt(7);
  const ean8 = String(computeCheckDigit(digits.slice(0, 7)));
  const upcA = expandUpcE(digits);
  const upcE = upcA === undefined ? undefined : String(computeCheckDigit(upcA.slice(0, 11)));
  let extra = ' as an EAN-8';
  if (upcE === ean8) extra = ' as an EAN-8 or a UPC-E';
  else if (upcE !== undefined && upcE !== actual) extra += ` (or ${upcE} as a UPC-E)`;
  return reject('bad_check_digit', messages.badCheck(digits, actual, ean8, extra));
}

function combine(ean8: Reading, upcE: Reading): Reading {
  return {
    ...ean8,
    flags: [...ean8.flags, 'ambiguous_8_digit'],
    alternatives: [
      ...ean8.alternatives,
      { code: upcE.code, gtin14: upcE.gtin14, type: 'UPC-E', relation: 'ambiguous_8_digit' },
      ...upcE.alternatives,
    ],
  };
}

/**
 * Reads 8 digits as an EAN-8 and as a UPC-E. When both readings hold, the EAN-8 comes first
 * and the UPC-E is an alternative (flag `ambiguous_8_digit`). A reading that fails only on its
 * prefix (RCN-8) gives way to the other one.
 */
export function readEightDigits(digits: string): Reading | Rejection {
  const ean8 = hasValidCheckDigit(digits) ? readEan8(digits) : undefined;
  const upcE = readUpcE(digits);
  const ean8Reading = ean8 === undefined || isRejection(ean8) ? undefined : ean8;
  const upcEReading = upcE === undefined || isRejection(upcE) ? undefined : upcE;
  if (ean8Reading && upcEReading) return combine(ean8Reading, upcEReading);
  return ean8Reading ?? upcEReading ?? ean8 ?? upcE ?? badCheckDigit(digits);
}
