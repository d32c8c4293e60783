const DIGITS = /^\d+$/;

/**
 * GS1 mod-10 check digit (EAN-8, EAN-13, UPC-A, GTIN-14, ISBN-13, ISSN-EAN) of the digits that
 * precede it. Weights 3 and 1 alternate from the right, so leading zeros never change the result.
 * Throws a `TypeError` when the input is empty or not all digits.
 */
export function computeCheckDigit(digitsWithoutCheck: string): number {
  if (!DIGITS.test(digitsWithoutCheck)) {
    throw new TypeError(`computeCheckDigit expects digits, got "${digitsWithoutCheck}"`);
  }
  let sum = 0;
  const last = digitsWithoutCheck.length - 1;
  for (let i = 0; i <= last; i++) {
    const digit = digitsWithoutCheck.charCodeAt(last - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when a string of at least two digits ends with its GS1 check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  if (digits.length < 2 || !DIGITS.test(digits)) return false;
  return computeCheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));
}

/** ISBN-10 mod-11 check character (`0`–`9` or `X`) of the first nine digits. */
export function computeIsbn10CheckCharacter(nineDigits: string): string {
  if (!/^\d{9}$/.test(nineDigits)) {
    throw new TypeError(`computeIsbn10CheckCharacter expects 9 digits, got "${nineDigits}"`);
  }
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (nineDigits.charCodeAt(i) - 48) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** True for nine digits followed by their ISBN-10 check character (uppercase `X`). */
export function isValidIsbn10(text: string): boolean {
  return /^\d{9}[\dX]$/.test(text) && computeIsbn10CheckCharacter(text.slice(0, 9)) === text[9];
}
