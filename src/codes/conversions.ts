import { computeCheckDigit, computeIsbn10CheckCharacter } from './check-digit.js';

/** Appends the GS1 check digit to a body of digits. */
export function withCheckDigit(body: string): string {
  return body + String(computeCheckDigit(body));
}

/**
 * Expands an 8-digit UPC-E (number system, six digits, check digit) to its 12-digit UPC-A with the
 * GS1 zero-suppression rules. Returns `undefined` when the number system is not 0 or 1. The check
 * digit is copied, not verified.
 */
export function expandUpcE(upcE: string): string | undefined {
  if (!/^[01]\d{7}$/.test(upcE)) return undefined;
  const ns = upcE.charAt(0);
  const [d1, d2, d3, d4, d5, d6] = upcE.slice(1, 7);
  const check = upcE.charAt(7);
  let body: string;
  if (d6 === '0' || d6 === '1' || d6 === '2') body = `${d1}${d2}${d6}0000${d3}${d4}${d5}`;
  else if (d6 === '3') body = `${d1}${d2}${d3}00000${d4}${d5}`;
  else if (d6 === '4') body = `${d1}${d2}${d3}${d4}00000${d5}`;
  else body = `${d1}${d2}${d3}${d4}${d5}0000${d6}`;
  return ns + body + check;
}

/** ISBN-10 (any check character) → ISBN-13 with the `978` prefix and a recomputed check digit. */
export function isbn10ToIsbn13(isbn10: string): string {
  return withCheckDigit(`978${isbn10.slice(0, 9)}`);
}

/** ISBN-13 with the `978` prefix → ISBN-10; `undefined` for `979` and other prefixes. */
export function isbn13ToIsbn10(isbn13: string): string | undefined {
  if (!/^978\d{10}$/.test(isbn13)) return undefined;
  const body = isbn13.slice(3, 12);
  return body + computeIsbn10CheckCharacter(body);
}
