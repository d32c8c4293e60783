/**
 * Just enough GTIN arithmetic for the emulator: check digits, and the equivalent forms Amazon's
 * search treats as the same code (UPC-A ↔ EAN-13 with a leading 0, ISBN-10 ↔ ISBN-13 `978`).
 * The emulator talks to no other module, so it does not use `src/codes/`.
 */

/** GS1 mod-10 check digit of the digits before it (any length). */
export function gs1CheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** ISBN-10 mod-11 check character of the first nine digits. */
export function isbn10CheckDigit(body9: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body9[i]) * (10 - i);
  const c = (11 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

/** True when a 8/12/13/14-digit string has a valid GS1 check digit. */
export function hasValidGs1Check(code: string): boolean {
  if (!/^\d{8}$|^\d{12,14}$/.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.slice(-1);
}

/** True when a string is a valid ISBN-10. */
export function isValidIsbn10(code: string): boolean {
  return /^\d{9}[\dX]$/.test(code) && isbn10CheckDigit(code.slice(0, 9)) === code[9];
}

/** ISBN-10 → ISBN-13 (`978` prefix). */
export function isbn10To13(isbn10: string): string {
  const body = `978${isbn10.slice(0, 9)}`;
  return body + gs1CheckDigit(body);
}

/** ISBN-13 with prefix 978 → ISBN-10, else undefined. */
export function isbn13To10(isbn13: string): string | undefined {
  if (!/^978\d{10}$/.test(isbn13)) return undefined;
  const body = isbn13.slice(3, 12);
  return body + isbn10CheckDigit(body);
}

/**
 * Canonical keys of a code: the 14-digit GTIN of a valid GS1 code, plus `isbn:` keys so that an
 * ISBN-10 and its ISBN-13 meet. Two codes are equivalent when their key sets intersect.
 * Codes with bad check digits still get a raw key, so exact text matches keep working.
 */
export function equivalenceKeys(raw: string): string[] {
  const code = raw.replace(/[\s-]/g, '').toUpperCase();
  const keys = new Set<string>([`raw:${code}`]);
  if (isValidIsbn10(code)) {
    keys.add(`gtin:${isbn10To13(code).padStart(14, '0')}`);
  } else if (hasValidGs1Check(code)) {
    keys.add(`gtin:${code.padStart(14, '0')}`);
  }
  return [...keys];
}

/** True when the keywords look like one barcode (8, 10, 12, 13 or 14 characters). */
export function looksLikeCode(keywords: string): boolean {
  const code = keywords.replace(/[\s-]/g, '').toUpperCase();
  return /^\d{8}$|^\d{12,14}$|^\d{9}[\dX]$/.test(code);
}
