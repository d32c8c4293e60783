/** What the GS1 prefix of an EAN-13 says about the code. */
export type PrefixClass =
  | { kind: 'general' }
  | { kind: 'jan' }
  | { kind: 'issn' }
  | { kind: 'isbn' }
  | { kind: 'gtin8' }
  | { kind: 'restricted'; prefix: string; use: string };

/** Restricted EAN-13 ranges: first three digits (inclusive bounds) and what they are used for. */
const RESTRICTED_RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [20, 29, 'a variable-measure or in-store code (UPC-A number system 2)'],
  [40, 49, 'a company-internal code (UPC-A number system 4)'],
  [200, 299, 'an in-store or company-internal code (price or weight embedded)'],
  [980, 980, 'a refund receipt'],
  [981, 984, 'a coupon'],
  [990, 999, 'a coupon'],
];

/**
 * Classifies an EAN-13 by its GS1 prefix: restricted ranges (in-store, company-internal,
 * coupons, refund receipts), ISSN (977), ISBN (978/979), JAN (45/49), GTIN-8 written as 13
 * digits (00000), or an ordinary trade item.
 */
export function classifyEan13Prefix(ean13: string): PrefixClass {
  const prefix = ean13.slice(0, 3);
  const value = Number(prefix);
  for (const [from, to, use] of RESTRICTED_RANGES) {
    if (value >= from && value <= to) return { kind: 'restricted', prefix, use };
  }
  if (ean13.startsWith('00000')) return { kind: 'gtin8' };
  if (prefix === '977') return { kind: 'issn' };
  if (prefix === '978' || prefix === '979') return { kind: 'isbn' };
  if (prefix.startsWith('45') || prefix.startsWith('49')) return { kind: 'jan' };
  return { kind: 'general' };
}

/**
 * EAN-8 codes starting with 0 or 2 are RCN-8 (restricted circulation numbers, GS1 General
 * Specifications 2.1.6.1): assigned by a retailer for its own stores, meaningless elsewhere.
 */
export function isRestrictedEan8(ean8: string): boolean {
  return ean8.startsWith('0') || ean8.startsWith('2');
}
