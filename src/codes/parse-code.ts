import {
  computeCheckDigit,
  computeIsbn10CheckCharacter,
  hasValidCheckDigit,
  isValidIsbn10,
} from './check-digit.js';
import { cleanCell, rawText } from './clean-cell.js';
import { isbn10ToIsbn13 } from './conversions.js';
import { readEightDigits } from './eight-digit-reading.js';
import { readGs1, readGtin14 } from './gtin-reading.js';
import type { Reading } from './gtin-reading.js';
import { isRejection, messages, reject } from './rejection.js';
import type { Rejection } from './rejection.js';
import type { CodeFlag, ParsedCode } from './types.js';

/** Options of {@link parseCode}. */
export interface ParseCodeOptions {
  /** The cell was numeric in the source file (leading zeros may have been lost). */
  numericCell?: boolean;
}

function repaired(result: Reading | Rejection): Reading | Rejection {
  if (isRejection(result)) return result;
  return { ...result, flags: [...result.flags, 'repaired_leading_zeros'] };
}

function readIsbn10OrShortUpc(text: string): Reading | Rejection {
  const padded = text.length === 9;
  const isbn10 = padded ? `0${text}` : text;
  if (isValidIsbn10(isbn10)) {
    const result = readGtin14(`0${isbn10ToIsbn13(isbn10)}`, 'ISBN-10');
    return padded ? repaired(result) : result;
  }
  if (/^\d+$/.test(text) && hasValidCheckDigit(text)) {
    return repaired(readGs1(text.padStart(12, '0'), 'UPC-A'));
  }
  const what = `${isbn10} read as an ISBN-10${padded ? ' with its lost leading 0 restored' : ''}`;
  const expected = computeIsbn10CheckCharacter(isbn10.slice(0, 9));
  return reject('bad_check_digit', messages.badCheck(what, isbn10.charAt(9), expected));
}

function readElevenDigits(text: string): Reading | Rejection {
  const upcA = `0${text}`;
  if (hasValidCheckDigit(upcA)) return repaired(readGs1(upcA, 'UPC-A'));
  const what = `${upcA} read as a UPC-A with its lost leading 0 restored`;
  const expected = String(computeCheckDigit(upcA.slice(0, -1)));
  return reject('bad_check_digit', messages.badCheck(what, upcA.slice(-1), expected));
}

function readCleaned(text: string): Reading | Rejection {
  if (text.endsWith('X') && text.length !== 9 && text.length !== 10) {
    return reject('non_numeric', messages.nonNumeric(text, 'X'));
  }
  switch (text.length) {
    case 7:
      return repaired(readEightDigits(`0${text}`));
    case 8:
      return readEightDigits(text);
    case 9:
    case 10:
      return readIsbn10OrShortUpc(text);
    case 11:
      return readElevenDigits(text);
    case 12:
      return readGs1(text, 'UPC-A');
    case 13:
      return readGs1(text, 'EAN-13');
    case 14:
      return readGs1(text, 'GTIN-14');
    default:
      return reject('bad_length', messages.badLength(text));
  }
}

/**
 * Parses one raw cell into a normalised code (display form, GTIN-14 identity, detected type,
 * flags, alternative forms) or a precise rejection with a reason code and a sentence saying
 * what to do. Numbers are read in full; numeric cells may have lost leading zeros, which are
 * restored when the check digit then holds.
 */
export function parseCode(
  raw: string | number | null | undefined,
  options: ParseCodeOptions = {},
): ParsedCode {
  const cell = cleanCell(raw);
  if (isRejection(cell)) return { valid: false, raw: rawText(raw), ...cell };
  const result = readCleaned(cell.text);
  if (isRejection(result)) return { valid: false, raw: cell.raw, ...result, digits: cell.text };
  const flags: CodeFlag[] = [...result.flags];
  if (cell.cleaned) flags.push('cleaned');
  if (typeof raw === 'number' || options.numericCell === true) flags.push('numeric_cell');
  return { valid: true, raw: cell.raw, ...result, flags };
}
