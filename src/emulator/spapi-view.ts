import type { CatalogProduct } from './catalog.js';
import type { MarketIndex } from './catalog-index.js';

/** `includedData` values Catalog Items v2022-04-01 accepts (reference §3.3). */
export const INCLUDED_DATA = [
  'attributes',
  'classifications',
  'dimensions',
  'identifiers',
  'images',
  'productTypes',
  'relationships',
  'salesRanks',
  'summaries',
  'vendorDetails',
] as const;

/**
 * One catalog product as a Catalog Items `Item` with the requested `includedData` (default
 * `summaries`, as Amazon's). Data the catalog does not hold (dimensions, vendor details) is an
 * empty per-marketplace list.
 */
export function spapiItem(
  p: CatalogProduct,
  market: MarketIndex,
  marketplaceId: string,
  included: ReadonlySet<string>,
): Record<string, unknown> {
  const item: Record<string, unknown> = { asin: p.asin };
  const mp = { marketplaceId };
  if (included.has('identifiers')) item.identifiers = [{ ...mp, identifiers: identifiersOf(p) }];
  if (included.has('summaries')) item.summaries = [{ ...mp, ...summaryOf(p) }];
  if (included.has('images'))
    item.images = [
      {
        ...mp,
        images: (p.images ?? []).map((link, i) => ({
          variant: i === 0 ? 'MAIN' : `PT${String(i).padStart(2, '0')}`,
          link,
          height: 1000,
          width: 1000,
        })),
      },
    ];
  if (included.has('salesRanks'))
    item.salesRanks = [
      {
        ...mp,
        displayGroupRanks: p.salesRank
          ? [
              {
                websiteDisplayGroup: 'gl_emulator',
                title: p.category ?? 'Emulator',
                rank: p.salesRank,
              },
            ]
          : [],
      },
    ];
  if (included.has('relationships'))
    item.relationships = [{ ...mp, relationships: relationshipsOf(p, market) }];
  if (included.has('attributes')) item.attributes = attributesOf(p, marketplaceId);
  for (const key of ['classifications', 'dimensions', 'productTypes', 'vendorDetails'])
    if (included.has(key)) item[key] = [{ ...mp }];
  return item;
}

function identifiersOf(p: CatalogProduct) {
  return [
    ...(p.eans ?? []).map((identifier) => ({ identifierType: 'EAN', identifier })),
    ...(p.upcs ?? []).map((identifier) => ({ identifierType: 'UPC', identifier })),
    ...(p.isbns ?? []).map((identifier) => ({ identifierType: 'ISBN', identifier })),
  ];
}

function summaryOf(p: CatalogProduct): Record<string, unknown> {
  const s: Record<string, unknown> = {
    itemName: p.title,
    itemClassification: p.isParent ? 'VARIATION_PARENT' : 'BASE_PRODUCT',
  };
  if (p.brand) s.brand = p.brand;
  if (p.manufacturer) s.manufacturer = p.manufacturer;
  if (p.unitCount) s.packageQuantity = p.unitCount;
  if (p.category) {
    s.websiteDisplayGroupName = p.category;
    s.browseClassification = { displayName: p.category, classificationId: p.browseNodeId ?? '0' };
  }
  for (const a of p.variationAttributes ?? []) {
    const key = a.name.toLowerCase();
    if (key === 'color' || key === 'size' || key === 'style') s[key] = a.value;
  }
  return s;
}

function relationshipsOf(p: CatalogProduct, market: MarketIndex): unknown[] {
  if (p.isParent) {
    const children = market.childrenOf.get(p.asin) ?? [];
    const names = [
      ...new Set(
        children.flatMap((c) => (c.variationAttributes ?? []).map((a) => a.name.toLowerCase())),
      ),
    ];
    return [
      {
        type: 'VARIATION',
        childAsins: children.map((c) => c.asin),
        variationTheme: { attributes: names, theme: names.join('/').toUpperCase() },
      },
    ];
  }
  if (p.parentAsin) return [{ type: 'VARIATION', parentAsins: [p.parentAsin] }];
  return [];
}

function attributesOf(p: CatalogProduct, marketplaceId: string): Record<string, unknown> {
  const v = (value: unknown) => [{ value, marketplace_id: marketplaceId }];
  const out: Record<string, unknown> = { item_name: v(p.title) };
  if (p.brand) out.brand = v(p.brand);
  if (p.manufacturer) out.manufacturer = v(p.manufacturer);
  if (p.features?.length)
    out.bullet_point = p.features.map((f) => ({ value: f, marketplace_id: marketplaceId }));
  if (p.unitCount) out.number_of_items = v(p.unitCount);
  return out;
}
