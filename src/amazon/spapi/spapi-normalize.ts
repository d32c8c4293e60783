import { field, list, num, text } from '../json.js';
import type { AmazonProduct, ExternalIds } from '../product.js';

export interface SpapiNormalizeContext {
  /** SP-API marketplace id: the per-marketplace entry to read. */
  marketplaceId: string;
  /** Store domain stamped on the product, e.g. `www.amazon.fr`. */
  domain: string;
  fetchedAt?: Date;
}

/** A returned item's identifiers: `[{identifierType, identifier}]` of this marketplace. */
export function identifiersOf(
  item: unknown,
  marketplaceId: string,
): { type: string; id: string }[] {
  return list(field(forMarketplace(field(item, 'identifiers'), marketplaceId), 'identifiers'))
    .map((i) => ({
      type: text(field(i, 'identifierType')) ?? '',
      id: text(field(i, 'identifier')) ?? '',
    }))
    .filter((i) => i.id !== '');
}

/**
 * One Catalog Items `Item` → AmazonProduct. Catalog Items has no offers: price, currency,
 * availability, rating and Prime stay null. A `VARIATION_PARENT` is its own parent (what the
 * matcher reads as "parent", never preferred); a child names its parent from `relationships`.
 * `packageQuantity` is the unit count the quantity signal compares.
 */
export function normalizeSpapiItem(
  item: unknown,
  ctx: SpapiNormalizeContext,
): AmazonProduct | null {
  const asin = text(field(item, 'asin'));
  if (!asin) return null;
  const summary = forMarketplace(field(item, 'summaries'), ctx.marketplaceId);
  const isParent = text(field(summary, 'itemClassification')) === 'VARIATION_PARENT';
  return {
    asin,
    title: text(field(summary, 'itemName')),
    brand: text(field(summary, 'brand')),
    manufacturer: text(field(summary, 'manufacturer')),
    price: null,
    currency: null,
    category:
      text(field(field(summary, 'browseClassification'), 'displayName')) ??
      text(field(summary, 'websiteDisplayGroupName')),
    rating: null,
    review_count: null,
    images: imagesOf(item, ctx.marketplaceId),
    availability: null,
    prime_eligible: null,
    sales_rank: salesRankOf(item, ctx.marketplaceId),
    detail_page_url: `https://${ctx.domain}/dp/${asin}`,
    parent_asin: isParent ? asin : parentOf(item, ctx.marketplaceId),
    variation_attributes: variationAttributesOf(summary),
    external_ids: externalIdsOf(item, ctx.marketplaceId),
    condition: null,
    unit_count: num(field(summary, 'packageQuantity')),
    marketplace: ctx.domain,
    source: 'spapi',
    fetched_at: (ctx.fetchedAt ?? new Date()).toISOString(),
  };
}

/** The entry of this marketplace in a per-marketplace array, else the first. */
function forMarketplace(entries: unknown, marketplaceId: string): unknown {
  const all = list(entries);
  return all.find((e) => text(field(e, 'marketplaceId')) === marketplaceId) ?? all[0] ?? null;
}

/** MAIN first, then PT01…; the largest picture of each variant. */
function imagesOf(item: unknown, marketplaceId: string): string[] {
  const images = list(field(forMarketplace(field(item, 'images'), marketplaceId), 'images'));
  const best = new Map<string, { link: string; area: number }>();
  for (const img of images) {
    const variant = text(field(img, 'variant')) ?? 'MAIN';
    const link = text(field(img, 'link'));
    if (!link) continue;
    const area = (num(field(img, 'height')) ?? 0) * (num(field(img, 'width')) ?? 0);
    const seen = best.get(variant);
    if (!seen || area > seen.area) best.set(variant, { link, area });
  }
  const order = (v: string) => (v === 'MAIN' ? '' : v);
  return [...best.entries()]
    .sort(([a], [b]) => order(a).localeCompare(order(b)))
    .map(([, v]) => v.link);
}

/** The best rank: the website display group's, else the best classification rank. */
function salesRankOf(item: unknown, marketplaceId: string): number | null {
  const ranks = forMarketplace(field(item, 'salesRanks'), marketplaceId);
  const pick = (key: string) =>
    list(field(ranks, key))
      .map((r) => num(field(r, 'rank')))
      .filter((r): r is number => r !== null);
  const groups = pick('displayGroupRanks');
  if (groups.length > 0) return Math.min(...groups);
  const classes = pick('classificationRanks');
  return classes.length > 0 ? Math.min(...classes) : null;
}

function parentOf(item: unknown, marketplaceId: string): string | null {
  const rel = forMarketplace(field(item, 'relationships'), marketplaceId);
  for (const r of list(field(rel, 'relationships'))) {
    const parent = text(list(field(r, 'parentAsins'))[0]);
    if (parent) return parent;
  }
  return null;
}

/** The children an item's relationships name (a parent's variations). */
export function childAsinsOf(item: unknown, marketplaceId: string): string[] {
  const rel = forMarketplace(field(item, 'relationships'), marketplaceId);
  const out: string[] = [];
  for (const r of list(field(rel, 'relationships')))
    for (const c of list(field(r, 'childAsins'))) if (typeof c === 'string') out.push(c);
  return [...new Set(out)];
}

/** The variation theme's attribute names (`color`, `size`…) of a parent's relationships. */
export function variationThemeOf(item: unknown, marketplaceId: string): string[] {
  const rel = forMarketplace(field(item, 'relationships'), marketplaceId);
  for (const r of list(field(rel, 'relationships'))) {
    const attrs = list(field(field(r, 'variationTheme'), 'attributes'))
      .map((a) => text(a))
      .filter((a): a is string => a !== null);
    if (attrs.length > 0) return attrs;
  }
  return [];
}

/** Summary fields a variation differs by (colour, size, style). */
function variationAttributesOf(summary: unknown): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const key of ['color', 'size', 'style']) {
    const v = text(field(summary, key));
    if (v) out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** EAN, JAN and GTIN go to `eans` (the matcher reads every list as GTIN-14), UPC and ISBN apart. */
function externalIdsOf(item: unknown, marketplaceId: string): ExternalIds {
  const ids: ExternalIds = { eans: [], upcs: [], isbns: [] };
  for (const { type, id } of identifiersOf(item, marketplaceId)) {
    if (type === 'UPC') ids.upcs.push(id);
    else if (type === 'ISBN') ids.isbns.push(id);
    else if (type === 'EAN' || type === 'GTIN' || type === 'JAN') ids.eans.push(id);
  }
  return ids;
}
