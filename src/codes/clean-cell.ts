import { messages, reject } from './rejection.js';
import type { Rejection } from './rejection.js';

/** A cell reduced to the characters of a code. */
export interface CleanedCell {
  /** The cell as given, as text. */
  raw: string;
  /** Digits, possibly ending in `X` (ISBN-10). */
  text: string;
  /** Something other than the code was removed. */
  cleaned: boolean;
}

const PLAIN_DIGITS = /^\d{1,14}$/;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const SEPARATORS = /[\s.\-\u2010-\u2015\u2212]/g;
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;
const TRAILING_ZERO_FRACTION = /^(\d+)[.,]0+$/;
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ['\u201C', '\u201D'],
  ['\u2018', '\u2019'],
];

/** Text of a raw cell; numbers are written out in full, never in exponent form. */
export function rawText(raw: string | number | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw >= 0 ? BigInt(raw).toString() : String(raw);
  }
  return raw;
}

function unwrap(text: string): string {
  let current = text.replace(INVISIBLE, '').trim();
  for (;;) {
    const before = current;
    const formula = /^=\s*"(.*)"$/s.exec(current);
    if (formula) current = formula[1] ?? '';
    for (const [open, close] of QUOTE_PAIRS) {
      if (current.length >= 2 && current.startsWith(open) && current.endsWith(close)) {
        current = current.slice(open.length, -close.length);
      }
    }
    if (current.startsWith("'")) current = current.slice(1);
    current = current.trim();
    if (current === before) return current;
  }
}

/**
 * Reduces a raw cell to its code characters: strips `="…"` wrappers, quotes, Excel's leading
 * apostrophe, spaces (including non-breaking ones), tabs, hyphens and dots, and a `.0` left by a
 * numeric export. Rejects empty cells, scientific notation and other characters.
 */
export function cleanCell(raw: string | number | null | undefined): CleanedCell | Rejection {
  // Fast path: most cells of a supplier file already are bare digits (the unwrapping below
  // costs about half of parseCode's time on such cells).
  if (typeof raw === 'string' && PLAIN_DIGITS.test(raw)) return { raw, text: raw, cleaned: false };
  const text = rawText(raw);
  if (typeof raw === 'number' && !(Number.isInteger(raw) && raw >= 0)) {
    return reject('non_numeric', messages.notWholeNumber(text));
  }
  const unwrapped = unwrap(text);
  if (SCIENTIFIC.test(unwrapped)) return reject('scientific_notation', messages.scientific(text));
  const withoutFraction = TRAILING_ZERO_FRACTION.exec(unwrapped)?.[1] ?? unwrapped;
  const compact = withoutFraction.replace(SEPARATORS, '');
  if (compact === '') return reject('empty', messages.empty());
  const offending = /[^\dXx]|[Xx](?=.)/.exec(compact)?.[0];
  if (offending !== undefined) return reject('non_numeric', messages.nonNumeric(text, offending));
  return { raw: text, text: compact.toUpperCase(), cleaned: compact.length < text.length };
}
