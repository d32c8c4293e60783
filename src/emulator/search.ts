import type { CatalogProduct } from './catalog.js';
import { foundByCode, type MarketIndex } from './catalog-index.js';
import { equivalenceKeys, isbn10To13, isbn13To10, isValidIsbn10, looksLikeCode } from './gtin.js';
import { hashString } from './random.js';
import { normalizeText, tokens } from './search-text.js';

export { normalizeText };

/** Search parameters, camelCase, already validated. */
export interface SearchParams {
  keywords?: string;
  title?: string;
  brand?: string;
  browseNodeId?: string;
  searchIndex: string;
  availability: 'Available' | 'IncludeOutOfStock';
  minPrice?: number;
  maxPrice?: number;
  sortBy?: string;
}

/** Text forms of a code a title or search term may carry (UPC/EAN, ISBN-10/13). */
export function codeForms(raw: string): string[] {
  const code = raw.replace(/[\s-]/g, '').toUpperCase();
  const forms = new Set([code]);
  if (/^0\d{12}$/.test(code)) forms.add(code.slice(1));
  if (/^\d{12}$/.test(code)) forms.add(`0${code}`);
  if (isValidIsbn10(code)) forms.add(isbn10To13(code));
  const isbn10 = isbn13To10(code);
  if (isbn10) forms.add(isbn10);
  return [...forms].map((f) => f.toLowerCase());
}

function codeHits(market: MarketIndex, code: string, noise: number): CatalogProduct[] {
  const hits = new Set<CatalogProduct>();
  for (const key of equivalenceKeys(code))
    for (const p of market.byCode.get(key) ?? []) hits.add(p);
  // Titles and search terms that carry the code, through the word index (a scan of every
  // product's words per search cost 40–90 ms at 7,000 products: the emulator, not the client,
  // became the bottleneck of the scale-out bench).
  for (const f of codeForms(code)) for (const p of market.byWord.get(f) ?? []) hits.add(p);
  if (hits.size > 0 && noise > 0 && market.products.length > hits.size) {
    // Amazon's keyword search is fuzzy: some unrelated items come back too. Same code, same noise.
    let h = hashString(code);
    const extra = h % (noise + 1);
    for (let i = 0; i < extra; i++) {
      h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
      hits.add(market.products[h % market.products.length] as CatalogProduct);
    }
  }
  return [...hits];
}

function wordHits(market: MarketIndex, keywords: string): CatalogProduct[] {
  const wanted = tokens(keywords);
  if (wanted.length === 0) return [];
  const [first, ...rest] = wanted;
  return (market.byWord.get(first as string) ?? []).filter((p) =>
    rest.every((w) => market.wordsOf.get(p)?.has(w)),
  );
}

function inNode(market: MarketIndex, p: CatalogProduct, nodeId: string): boolean {
  let id = p.browseNodeId;
  for (let depth = 0; id && depth < 20; depth++) {
    if (id === nodeId) return true;
    id = market.browseNodes.get(id)?.parentId;
  }
  return false;
}

function keep(market: MarketIndex, p: CatalogProduct, s: SearchParams): boolean {
  if (s.searchIndex !== 'All' && p.searchIndex !== s.searchIndex) return false;
  if (s.title && !normalizeText(p.title).includes(normalizeText(s.title))) return false;
  if (s.brand && !normalizeText(p.brand ?? '').includes(normalizeText(s.brand))) return false;
  if (s.browseNodeId && !inNode(market, p, s.browseNodeId)) return false;
  const out = p.availability === 'OUT_OF_STOCK' || p.availability === 'UNAVAILABLE';
  if (s.availability === 'Available' && out) return false;
  const cents = p.price === undefined ? undefined : Math.round(p.price * 100);
  if (s.minPrice !== undefined && (cents === undefined || cents < s.minPrice)) return false;
  if (s.maxPrice !== undefined && (cents === undefined || cents > s.maxPrice)) return false;
  return true;
}

function compare(sortBy: string | undefined): (a: CatalogProduct, b: CatalogProduct) => number {
  const rank = (p: CatalogProduct): number => p.salesRank ?? Number.MAX_SAFE_INTEGER;
  const price = (p: CatalogProduct): number => p.price ?? Number.MAX_SAFE_INTEGER;
  const byAsin = (a: CatalogProduct, b: CatalogProduct): number => (a.asin < b.asin ? -1 : 1);
  switch (sortBy) {
    case 'Price:LowToHigh':
      return (a, b) => price(a) - price(b) || byAsin(a, b);
    case 'Price:HighToLow':
      return (a, b) => (b.price ?? -1) - (a.price ?? -1) || byAsin(a, b);
    case 'AvgCustomerReviews':
      return (a, b) => (b.rating ?? 0) - (a.rating ?? 0) || byAsin(a, b);
    case 'NewestArrivals':
      return (a, b) => -byAsin(a, b);
    default:
      // "Relevance": best sellers first, which is why the right item is not always on page 1.
      return (a, b) => rank(a) - rank(b) || byAsin(a, b);
  }
}

/**
 * Searches one marketplace like Amazon's keyword search: a barcode finds the items whose external
 * ids hold it or an equivalent form, plus items whose title or hidden search terms carry it, plus
 * 0 to `noise` unrelated items (how many depends on the code); words find items whose title, brand or search terms hold every word.
 */
export function searchProducts(
  market: MarketIndex,
  s: SearchParams,
  noise: number,
  protocol?: string,
): CatalogProduct[] {
  let hits: CatalogProduct[];
  if (s.keywords && looksLikeCode(s.keywords))
    hits = codeHits(market, s.keywords, noise).filter(
      (p) => protocol === undefined || foundByCode(p, protocol),
    );
  else if (s.keywords) hits = wordHits(market, s.keywords);
  else hits = market.products;
  return hits.filter((p) => keep(market, p, s)).sort(compare(s.sortBy));
}
