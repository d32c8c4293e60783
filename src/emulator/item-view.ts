import type { CatalogProduct } from './catalog.js';
import type { MarketIndex } from './catalog-index.js';

/** What an item view needs besides the product. */
export interface ViewContext {
  market: MarketIndex;
  partnerTag: string;
  /** `ogi` getItems, `osi` searchItems, `ogv` getVariations. */
  linkCode: string;
  /** Add `isRoot` to ancestors (not in the SDK's `BrowseNodeAncestor`; emulator-only). */
  extraFields: boolean;
}

const IMAGE_SIZES = { small: 75, medium: 160, large: 500, hiRes: 1500 } as const;

/** `{displayValue, label, locale}` */
function single(value: unknown, label: string, locale: string): Record<string, unknown> {
  return { displayValue: value, label, locale };
}

function multi(values: string[], label: string, locale: string): Record<string, unknown> {
  return { displayValues: values, label, locale };
}

/** Formats an amount the way the marketplace shows it ("4,29 €", "$4.29"). */
export function displayAmount(amount: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale.replace('_', '-'), { style: 'currency', currency }).format(
    amount,
  );
}

function imageSet(url: string): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [size, px] of Object.entries(IMAGE_SIZES)) {
    const sized = url.replace(/(\.[a-z]+)$/i, `._SL${px}_$1`);
    set[size] = { url: sized, height: px, width: px };
  }
  return set;
}

function itemInfo(p: CatalogProduct, locale: string): Record<string, unknown> {
  const ids: Record<string, unknown> = {};
  if (p.eans?.length) ids.eans = multi(p.eans, 'EAN', locale);
  if (p.isbns?.length) ids.isbns = multi(p.isbns, 'ISBN', locale);
  if (p.upcs?.length) ids.upcs = multi(p.upcs, 'UPC', locale);
  const byLine: Record<string, unknown> = {};
  if (p.brand) byLine.brand = single(p.brand, 'Brand', locale);
  if (p.manufacturer) byLine.manufacturer = single(p.manufacturer, 'Manufacturer', locale);
  const info: Record<string, unknown> = { title: single(p.title, 'Title', locale) };
  if (Object.keys(byLine).length) info.byLineInfo = byLine;
  if (Object.keys(ids).length) info.externalIds = ids;
  if (p.features?.length) info.features = multi(p.features, 'Features', locale);
  if (p.unitCount !== undefined)
    info.productInfo = { unitCount: single(p.unitCount, 'NumberOfItems', locale) };
  if (p.category)
    info.classifications = {
      binding: single(p.category, 'Binding', locale),
      productGroup: single(p.category, 'ProductGroup', locale),
    };
  return info;
}

function offers(p: CatalogProduct, market: MarketIndex): Record<string, unknown> | undefined {
  if (p.price === undefined || p.isParent) return undefined;
  const currency = p.currency ?? market.info.currency;
  const type = p.availability ?? 'IN_STOCK';
  const message = type.startsWith('IN_STOCK') ? 'In Stock' : 'Currently unavailable.';
  return {
    listings: [
      {
        availability: { type, message, minOrderQuantity: 1, maxOrderQuantity: 10 },
        condition: {
          value: p.condition ?? 'New',
          subCondition: p.condition === 'Refurbished' ? 'Refurbished' : 'Unknown',
          conditionNote: '',
        },
        isBuyBoxWinner: true,
        merchantInfo: { id: 'A1X6FK5RDHNB96', name: 'Amazon' },
        price: {
          money: {
            amount: p.price,
            currency,
            displayAmount: displayAmount(p.price, currency, market.info.locale),
          },
        },
        violatesMAP: false,
      },
    ],
  };
}

function browseNodeInfo(p: CatalogProduct, ctx: ViewContext): Record<string, unknown> {
  const market = ctx.market;
  const out: Record<string, unknown> = {};
  const node = p.browseNodeId ? market.browseNodes.get(p.browseNodeId) : undefined;
  if (node) out.browseNodes = [browseNode(node.id, market, p.salesRank, ctx.extraFields)];
  if (p.salesRank !== undefined) {
    const name = node?.name ?? p.category ?? 'Products';
    out.websiteSalesRank = { displayName: name, contextFreeName: name, salesRank: p.salesRank };
  }
  return out;
}

/**
 * A browse node with its ancestors (recursive), as the API shows it. The node has `isRoot`;
 * its ancestors (the SDK's `BrowseNodeAncestor`: id, displayName, contextFreeName, ancestor)
 * have it only with `extraFields`.
 */
export function browseNode(
  id: string,
  market: MarketIndex,
  rank?: number,
  extraFields = false,
): Record<string, unknown> {
  const node = market.browseNodes.get(id);
  const out = ancestorNode(id, market, extraFields);
  out.isRoot = !node?.parentId;
  if (rank !== undefined) out.salesRank = rank;
  return out;
}

function ancestorNode(id: string, market: MarketIndex, extraFields: boolean) {
  const node = market.browseNodes.get(id);
  const name = node?.name ?? id;
  const out: Record<string, unknown> = { id, displayName: name, contextFreeName: name };
  if (node?.parentId) {
    const parent = ancestorNode(node.parentId, market, extraFields);
    if (extraFields) parent.isRoot = !market.browseNodes.get(node.parentId)?.parentId;
    out.ancestor = parent;
  }
  return out;
}

/** Every field the emulator can show for a product, camelCase; resources then pick from it. */
export function fullItem(p: CatalogProduct, ctx: ViewContext): Record<string, unknown> {
  const domain = ctx.market.info.domain;
  const item: Record<string, unknown> = {
    asin: p.asin,
    detailPageURL: `https://${domain}/dp/${p.asin}?tag=${encodeURIComponent(ctx.partnerTag)}&linkCode=${ctx.linkCode}&th=1&psc=1`,
    itemInfo: itemInfo(p, ctx.market.info.locale),
  };
  if (p.parentAsin) item.parentASIN = p.parentAsin;
  if (p.images?.length) {
    const [primary, ...variants] = p.images as [string, ...string[]];
    item.images = { primary: imageSet(primary), variants: variants.map(imageSet) };
  }
  const o = offers(p, ctx.market);
  if (o) item.offersV2 = o;
  const bni = browseNodeInfo(p, ctx);
  if (Object.keys(bni).length) item.browseNodeInfo = bni;
  if (p.reviewCount !== undefined || p.rating !== undefined) {
    const reviews: Record<string, unknown> = {};
    if (p.reviewCount !== undefined) reviews.count = p.reviewCount;
    if (p.rating !== undefined) reviews.starRating = { value: p.rating };
    item.customerReviews = reviews;
  }
  return item;
}
