import type { AmazonProduct } from './amazon-product.js';
import { equivalentForms, type AlternativeCode, type ValidCode } from '../codes/index.js';
import { SIGNALS, type IdentitySignal } from './signals.js';
import { readListedId, type ListedIdReading } from './listed-id.js';

/** How an item's external ids tie it to the searched code. */
export interface IdentityMatch {
  matchType: 'exact' | 'partial';
  signal: IdentitySignal;
  /** The id as the item lists it. */
  listed: string;
}

type IdList = keyof AmazonProduct['external_ids'];

const EXACT_SIGNAL: Record<IdList, IdentitySignal> = {
  eans: 'ean_in_external_ids',
  upcs: 'upc_in_external_ids',
  isbns: 'isbn_in_external_ids',
};

// Relations of alternative forms (codes module) that can tie an item to the code.
const PARTIAL_RELATIONS = new Map<string, IdentitySignal>([
  ['upc_equivalent', 'upc_equivalent'],
  ['isbn10_equivalent', 'isbn10_equivalent'],
  ['ambiguous_8_digit', 'ambiguous_8_digit'],
  ['case_pack_unit', 'case_pack_unit'],
]);

/**
 * The strongest tie between an item and the code. `exact`: a listed id, padded to GTIN-14, is
 * the code's GTIN-14 (UPC-A `717356278525` is EAN-13 `0717356278525`: the same number). `partial`:
 * a listed id matches only through a conversion (an ISBN-10, a UPC-E) or is one of the code's
 * alternative forms with another GTIN-14 (`forms`: a case pack's unit, the other reading of an
 * 8-digit code), named by its relation.
 */
export function matchIdentity(
  item: AmazonProduct,
  code: ValidCode,
  forms: readonly AlternativeCode[],
): IdentityMatch | null {
  let best: IdentityMatch | null = null;
  for (const list of ['eans', 'upcs', 'isbns'] as const) {
    for (const listed of item.external_ids[list]) {
      for (const reading of readListedId(listed, list)) {
        const found = matchReading(reading, list, code, forms, listed);
        if (found && (!best || weightOf(found) > weightOf(best))) best = found;
      }
    }
  }
  return best;
}

function weightOf(match: IdentityMatch): number {
  return SIGNALS[match.signal].weight;
}

function matchReading(
  reading: ListedIdReading,
  list: IdList,
  code: ValidCode,
  forms: readonly AlternativeCode[],
  listed: string,
): IdentityMatch | null {
  if (reading.gtin14 === code.gtin14) {
    return reading.conversion
      ? { matchType: 'partial', signal: reading.conversion, listed }
      : { matchType: 'exact', signal: EXACT_SIGNAL[list], listed };
  }
  // The most conservative relation when several forms share the number (an 8-digit code's
  // UPC-E reading is also listed as that reading's UPC-A).
  let best: IdentityMatch | null = null;
  for (const form of forms) {
    if (form.gtin14 !== reading.gtin14 || form.gtin14 === code.gtin14) continue;
    const signal = PARTIAL_RELATIONS.get(form.relation);
    const found: IdentityMatch | null = signal ? { matchType: 'partial', signal, listed } : null;
    if (found && (!best || weightOf(found) < weightOf(best))) best = found;
  }
  return best;
}

/** Whether the item lists any usable external id (a fuzzy item that does lists other codes). */
export function hasListedIds(item: AmazonProduct): boolean {
  const { eans, upcs, isbns } = item.external_ids;
  return (
    eans.some((id) => readListedId(id, 'eans').length > 0) ||
    upcs.some((id) => readListedId(id, 'upcs').length > 0) ||
    isbns.some((id) => readListedId(id, 'isbns').length > 0)
  );
}

/**
 * Whether the item's title carries the code as a whole number in any of its forms (sellers type
 * the EAN into titles: "… - EAN 3017620422003"). Hyphens inside numbers are ignored.
 */
export function titleCarriesCode(item: AmazonProduct, code: ValidCode): boolean {
  if (!item.title) return false;
  const numbers = new Set(
    item.title
      .replace(/(\d)-(?=\d)/g, '$1')
      .toUpperCase()
      .match(/\d+X?/g),
  );
  if (numbers.size === 0) return false;
  const forms = [...equivalentForms(code.code), code.raw.replace(/[^0-9X]/gi, '').toUpperCase()];
  return forms.some((form) => form.length >= 8 && numbers.has(form));
}
