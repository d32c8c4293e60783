import type { CodeType } from './types.js';

/** Types that denote the same kind of identifier once normalised. */
export type CodeFamily = 'retail' | 'ean8' | 'book' | 'serial' | 'case_pack';

/**
 * The family of a code type: EAN-13, UPC-A, UPC-E and JAN are all retail GTINs (UPC-E displays
 * as its EAN-13); ISBN-10 and ISBN-13 are books; ISSN is a serial; GTIN-14 a case pack.
 * Re-parsing a display form keeps the family even when the detected type changes.
 */
export function codeFamily(type: CodeType): CodeFamily {
  switch (type) {
    case 'ISBN-10':
    case 'ISBN-13':
      return 'book';
    case 'ISSN':
      return 'serial';
    case 'EAN-8':
      return 'ean8';
    case 'GTIN-14':
      return 'case_pack';
    default:
      return 'retail';
  }
}
