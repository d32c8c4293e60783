import type { CatalogBrowseNode, CatalogProduct, EmulatorCatalog } from './catalog.js';
import { equivalenceKeys } from './gtin.js';
import type { MarketplaceInfo } from './marketplaces.js';
import { findMarketplace } from './marketplaces.js';
import { searchableTokens } from './search-text.js';

/** Lookup tables of one marketplace, built once at start. */
export interface MarketIndex {
  info: MarketplaceInfo;
  products: CatalogProduct[];
  byAsin: Map<string, CatalogProduct>;
  childrenOf: Map<string, CatalogProduct[]>;
  /** Equivalence key (see gtin.ts) → products whose external ids hold that code. */
  byCode: Map<string, CatalogProduct[]>;
  /** Word → products whose title, brand, manufacturer or search terms hold it (catalog order). */
  byWord: Map<string, CatalogProduct[]>;
  /** Each product's searchable words. */
  wordsOf: Map<CatalogProduct, Set<string>>;
  browseNodes: Map<string, CatalogBrowseNode>;
}

/** Indexes of every marketplace of a catalog, keyed by domain. */
export type CatalogIndex = Map<string, MarketIndex>;

/** All external ids of a product (EANs, UPCs, ISBNs). */
export function externalCodes(p: CatalogProduct): string[] {
  return [...(p.eans ?? []), ...(p.upcs ?? []), ...(p.isbns ?? [])];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Builds the lookup tables of every marketplace of the catalog. */
export function indexCatalog(catalog: EmulatorCatalog): CatalogIndex {
  const index: CatalogIndex = new Map();
  for (const [domain, market] of Object.entries(catalog.marketplaces)) {
    const info = findMarketplace(domain);
    if (!info) continue;
    const m: MarketIndex = {
      info,
      products: market.products,
      byAsin: new Map(),
      childrenOf: new Map(),
      byCode: new Map(),
      byWord: new Map(),
      wordsOf: new Map(),
      browseNodes: new Map((market.browseNodes ?? []).map((n) => [n.id, n])),
    };
    for (const p of market.products) {
      m.byAsin.set(p.asin, p);
      if (p.parentAsin) push(m.childrenOf, p.parentAsin, p);
      const keys = new Set(externalCodes(p).flatMap((c) => equivalenceKeys(c)));
      for (const k of keys) push(m.byCode, k, p);
      const words = searchableTokens(p);
      m.wordsOf.set(p, words);
      for (const w of words) push(m.byWord, w, p);
    }
    index.set(info.domain, m);
  }
  return index;
}

/** Whether a protocol's search by code may find the product (`codeProtocols`, absent: all). */
export function foundByCode(p: CatalogProduct, protocol: string): boolean {
  return p.codeProtocols === undefined || (p.codeProtocols as string[]).includes(protocol);
}
