import type { CatalogProduct } from './catalog.js';
import type { MarketIndex } from './catalog-index.js';
import { isbn10To13 } from './gtin.js';

/** Keepa's `productType` (reference §4). */
const STANDARD = 0;
const UNACCESSIBLE = 3;
const VARIATION_PARENT = 5;

/**
 * A catalog product as Keepa's `/product` shows it (Product.java field names): ids, title,
 * brand, images as `imagesCSV`, the pack size, variation links, and with `stats` the current
 * Amazon price (cents) and sales rank (`stats.current[0]` and `[3]`, -1 when unknown).
 */
export function keepaProductView(
  p: CatalogProduct,
  market: MarketIndex,
  domainId: number,
  withStats: boolean,
): Record<string, unknown> {
  const parent = p.isParent === true;
  const productType = p.accessible === false ? UNACCESSIBLE : parent ? VARIATION_PARENT : STANDARD;
  const view: Record<string, unknown> = {
    productType,
    asin: p.asin,
    domainId,
    title: productType === UNACCESSIBLE ? null : p.title,
    brand: p.brand ?? null,
    manufacturer: p.manufacturer ?? null,
    productGroup: p.category ?? null,
    eanList: thirteen(p.eans, p.isbns),
    upcList: p.upcs?.length ? p.upcs : null,
    parentAsin: p.parentAsin ?? null,
    imagesCSV: p.images?.length ? p.images.map(fileName).join(',') : null,
    packageQuantity: p.unitCount ?? null,
    numberOfItems: p.unitCount ?? null,
    csv: null,
  };
  if (parent)
    view.variationCSV = (market.childrenOf.get(p.asin) ?? []).map((c) => c.asin).join(',');
  if (withStats) {
    const cents = p.price === undefined ? -1 : Math.round(p.price * 100);
    view.stats = { current: [cents, cents, -1, p.salesRank ?? -1] };
  }
  return view;
}

/**
 * EANs and ISBN-13s (Keepa lists books' ISBN-13 among the EANs); null when none. A book listed
 * by its ISBN-10 only is listed by the ISBN-13 of that number: Keepa's code search finds it by
 * that ISBN-13 (reference §4), so its answer must say so, or a client joining answers to codes
 * through the listed numbers could not tell which code of a request found it (an emulator
 * decision: Keepa documents no ISBN list).
 */
function thirteen(eans: string[] | undefined, isbns: string[] | undefined): string[] | null {
  const books = (isbns ?? []).map((i) => (i.length === 10 ? isbn10To13(i) : i));
  const all = [...new Set([...(eans ?? []), ...books.filter((i) => i.length === 13)])];
  return all.length > 0 ? all : null;
}

/** Keepa gives image file names, not URLs. */
function fileName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}
