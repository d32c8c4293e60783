import { parseCode } from '../../codes/index.js';
import { field, list, num, text } from '../json.js';
import type { Marketplace } from '../marketplaces.js';
import type { AmazonProduct } from '../product.js';

/** `productType` values (reference §4, Product.java); "must always be evaluated first". */
export const KEEPA_PRODUCT_TYPE = Object.freeze({
  STANDARD: 0,
  DOWNLOADABLE: 1,
  EBOOK: 2,
  UNACCESSIBLE: 3,
  INVALID: 4,
  VARIATION_PARENT: 5,
});

/** Keepa's `csv`/`stats.current` indexes (Product.CsvType): Amazon price, new price, sales rank. */
const CSV_AMAZON = 0;
const CSV_NEW = 1;
const CSV_SALES = 3;

const IMAGE_BASE = 'https://m.media-amazon.com/images/I/';

/** A Keepa product that can be a lookup's answer, or why it cannot. */
export type KeepaProductView =
  | { usable: true; product: AmazonProduct; gtins: Set<string>; parent: boolean }
  | { usable: false; asin: string | null; productType: number };

/**
 * Reads one Keepa product. `productType` first: 4 (invalid) and 3 (unaccessible) carry no
 * usable data; 5 (variation parent) is kept but marked as its own parent, so matching ranks it
 * after every child and never prefers it.
 */
export function readKeepaProduct(
  raw: unknown,
  m: Marketplace,
  fetchedAt: string,
): KeepaProductView {
  const asin = text(field(raw, 'asin'));
  const productType = num(field(raw, 'productType')) ?? KEEPA_PRODUCT_TYPE.STANDARD;
  if (
    !asin ||
    productType === KEEPA_PRODUCT_TYPE.INVALID ||
    productType === KEEPA_PRODUCT_TYPE.UNACCESSIBLE
  )
    return { usable: false, asin, productType };
  const parent = productType === KEEPA_PRODUCT_TYPE.VARIATION_PARENT;
  const eans = strings(field(raw, 'eanList'));
  const upcs = strings(field(raw, 'upcList'));
  const gtinList = strings(field(raw, 'gtinList'));
  const current = list(field(field(raw, 'stats'), 'current'));
  const price = priceOf(current);
  const product: AmazonProduct = {
    asin,
    title: text(field(raw, 'title')),
    brand: text(field(raw, 'brand')),
    manufacturer: text(field(raw, 'manufacturer')),
    price,
    currency: price === null ? null : m.currency,
    category: text(field(raw, 'productGroup')) ?? text(field(raw, 'binding')),
    rating: null,
    review_count: null,
    images: imagesOf(raw),
    availability: null,
    prime_eligible: null,
    sales_rank: positive(num(current[CSV_SALES])),
    detail_page_url: `https://${m.domain}/dp/${asin}`,
    parent_asin: parent ? asin : text(field(raw, 'parentAsin')),
    variation_attributes: null,
    external_ids: {
      eans: [...eans, ...gtinList.filter((g) => !eans.includes(g))],
      upcs,
      isbns: [],
    },
    unit_count:
      positive(num(field(raw, 'packageQuantity'))) ?? positive(num(field(raw, 'numberOfItems'))),
    marketplace: m.domain,
    source: 'keepa',
    fetched_at: fetchedAt,
  };
  return { usable: true, product, gtins: gtinsOf([...eans, ...upcs, ...gtinList]), parent };
}

/** GTIN-14 of a code as the codes module reads it (UPC-A, EAN-13, EAN-8, ISBN-13, GTIN-14). */
export function gtin14Of(code: string): string | null {
  const parsed = parseCode(code);
  return parsed.valid ? parsed.gtin14 : null;
}

/**
 * The form a code is sent to Keepa in (its display form: EAN-13 for 12/13/14-digit codes of a
 * unit, ISBN-13 for an ISBN-10, Keepa taking "UPC, EAN and ISBN-13") and its GTIN-14, the key
 * the answer is matched on; null when it is not a valid code.
 */
export function keepaQueryOf(code: string): { query: string; gtin: string } | null {
  const parsed = parseCode(code);
  return parsed.valid ? { query: parsed.code, gtin: parsed.gtin14 } : null;
}

function gtinsOf(codes: string[]): Set<string> {
  const out = new Set<string>();
  for (const c of codes) {
    const g = gtin14Of(c);
    if (g) out.add(g);
  }
  return out;
}

function strings(v: unknown): string[] {
  return list(v)
    .map((x) => (typeof x === 'number' ? String(x) : text(x)))
    .filter((x): x is string => x !== null && x !== '');
}

/** Current Amazon price, else the lowest new offer; Keepa prices are in cents, -1 = none. */
function priceOf(current: unknown[]): number | null {
  const cents = positive(num(current[CSV_AMAZON])) ?? positive(num(current[CSV_NEW]));
  return cents === null ? null : cents / 100;
}

function positive(v: number | null): number | null {
  return v !== null && v > 0 ? v : null;
}

/** `images` objects (`{l, m}` file names) or the older `imagesCSV`, as full URLs. */
function imagesOf(raw: unknown): string[] {
  const names = list(field(raw, 'images'))
    .map((i) => text(field(i, 'l')) ?? text(field(i, 'm')))
    .filter((x): x is string => x !== null);
  const csv = text(field(raw, 'imagesCSV'));
  const all = names.length > 0 ? names : (csv?.split(',') ?? []);
  return all.filter((n) => n.trim() !== '').map((n) => IMAGE_BASE + n.trim());
}
