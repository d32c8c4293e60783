/**
 * ASIN checks done before any request: an ASIN is `B0` followed by 8 upper-case letters or
 * digits, or an ISBN-10 (books keep their ISBN-10 as ASIN). The rule lives in `src/codes/`.
 */
import { isValidAsin } from '../codes/index.js';

export { isValidAsin };

/** Trims and upper-cases; the result may still be malformed. */
export function normalizeAsin(raw: string): string {
  return raw.trim().toUpperCase();
}

/** Why an ASIN was refused, as a sentence that says what to send instead. */
export function asinProblem(raw: string): string {
  return `"${raw}" is not an ASIN: expected 10 characters, "B0" followed by 8 letters or digits (e.g. B08N5WRWNW), or an ISBN-10.`;
}
