import { isbn13ToIsbn10 } from './conversions.js';
import { parseCode } from './parse-code.js';

/**
 * All forms that denote the same product as `code`, display form first: the GTIN-14 (indicator
 * 0), the EAN-13, the UPC-A (12 digits) when the EAN-13 starts with 0, the EAN-8 for GTIN-8s,
 * the ISBN-10 of a 978 ISBN-13. A case pack has only its 14 digits (its unit is another
 * product). Empty when `code` is not a valid code.
 */
export function equivalentForms(code: string): string[] {
  const parsed = parseCode(code);
  if (!parsed.valid) return [];
  const { gtin14 } = parsed;
  const forms = [parsed.code, gtin14];
  if (gtin14.startsWith('0')) forms.push(gtin14.slice(1));
  if (gtin14.startsWith('00')) forms.push(gtin14.slice(2));
  if (gtin14.startsWith('000000')) forms.push(gtin14.slice(6));
  const isbn10 = isbn13ToIsbn10(gtin14.slice(1));
  if (isbn10 !== undefined) forms.push(isbn10);
  return [...new Set(forms)];
}
