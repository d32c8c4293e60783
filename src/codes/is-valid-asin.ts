import { isValidIsbn10 } from './check-digit.js';

/**
 * True for an ASIN: `B0` followed by 8 uppercase letters or digits, or a valid ISBN-10 (the
 * ASIN of a book). The text is taken as is: no trimming, no case folding.
 */
export function isValidAsin(text: string): boolean {
  return /^B0[0-9A-Z]{8}$/.test(text) || isValidIsbn10(text);
}
