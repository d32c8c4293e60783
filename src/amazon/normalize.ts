import type { AmazonProduct, ExternalIds } from './product.js';
import { at, field, list, num, text } from './json.js';

/** Where an item came from, stamped on the normalised product. */
export interface NormalizeContext {
  marketplace: string;
  source: string;
  fetchedAt?: Date;
}

/**
 * Turns one item of either protocol (Creators camelCase or PA-API PascalCase) into an
 * AmazonProduct. Returns null when the item has no ASIN. Absent data stays `null`.
 */
export function normalizeItem(item: unknown, ctx: NormalizeContext): AmazonProduct | null {
  const asin = text(field(item, 'asin'));
  if (!asin) return null;
  const info = field(item, 'itemInfo');
  const listing = pickListing(item);
  const money = at(listing, 'price', 'money');
  return {
    asin,
    title: display(at(info, 'title')),
    brand: display(at(info, 'byLineInfo', 'brand')),
    manufacturer: display(at(info, 'byLineInfo', 'manufacturer')),
    price: num(field(money, 'amount')),
    currency: text(field(money, 'currency')),
    category: categoryOf(item),
    rating: num(at(item, 'customerReviews', 'starRating', 'value')),
    review_count: num(at(item, 'customerReviews', 'count')),
    images: imagesOf(item),
    availability:
      text(at(listing, 'availability', 'message')) ?? text(at(listing, 'availability', 'type')),
    // OffersV2 has no Prime flag (reference §1.9): never guessed.
    prime_eligible: null,
    sales_rank: salesRankOf(item),
    detail_page_url: text(field(item, 'detailPageURL')),
    parent_asin: text(field(item, 'parentASIN')),
    variation_attributes: variationAttributesOf(item),
    external_ids: externalIdsOf(item),
    condition: text(at(listing, 'condition', 'value')),
    unit_count: num(at(info, 'productInfo', 'unitCount', 'displayValue')),
    marketplace: ctx.marketplace,
    source: ctx.source,
    fetched_at: (ctx.fetchedAt ?? new Date()).toISOString(),
  };
}

/** `{displayValue}` of a single-value attribute. */
function display(v: unknown): string | null {
  return text(field(v, 'displayValue'));
}

/** The buy-box winner listing, else the first one. */
function pickListing(item: unknown): unknown {
  const listings = list(at(item, 'offersV2', 'listings'));
  return listings.find((l) => field(l, 'isBuyBoxWinner') === true) ?? listings[0] ?? null;
}

function categoryOf(item: unknown): string | null {
  const cls = at(item, 'itemInfo', 'classifications');
  const firstNode = list(at(item, 'browseNodeInfo', 'browseNodes'))[0];
  return (
    display(field(cls, 'productGroup')) ??
    display(field(cls, 'binding')) ??
    text(field(firstNode, 'displayName')) ??
    text(at(item, 'browseNodeInfo', 'websiteSalesRank', 'displayName'))
  );
}

const SIZES = ['hiRes', 'large', 'medium', 'small'];

function largestUrl(image: unknown): string | null {
  for (const size of SIZES) {
    const url = text(at(image, size, 'url'));
    if (url) return url;
  }
  return null;
}

function imagesOf(item: unknown): string[] {
  const images = field(item, 'images');
  const all = [field(images, 'primary'), ...list(field(images, 'variants'))].map(largestUrl);
  return [...new Set(all.filter((u): u is string => u !== null))];
}

function salesRankOf(item: unknown): number | null {
  const website = num(at(item, 'browseNodeInfo', 'websiteSalesRank', 'salesRank'));
  if (website !== null) return website;
  const ranks = list(at(item, 'browseNodeInfo', 'browseNodes'))
    .map((n) => num(field(n, 'salesRank')))
    .filter((r): r is number => r !== null);
  return ranks.length > 0 ? Math.min(...ranks) : null;
}

function variationAttributesOf(item: unknown): Record<string, string> | null {
  const attrs = list(field(item, 'variationAttributes'));
  const out: Record<string, string> = {};
  for (const a of attrs) {
    const name = text(field(a, 'name'));
    const value = text(field(a, 'value'));
    if (name && value) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

function values(v: unknown): string[] {
  return list(field(v, 'displayValues'))
    .map((x) => text(x))
    .filter((x): x is string => x !== null);
}

/** `itemInfo.externalIds.{eans,upcs,isbns}.displayValues`, each possibly missing. */
export function externalIdsOf(item: unknown): ExternalIds {
  const ids = at(item, 'itemInfo', 'externalIds');
  return {
    eans: values(field(ids, 'eans')),
    upcs: values(field(ids, 'upcs')),
    isbns: values(field(ids, 'isbns')),
  };
}
