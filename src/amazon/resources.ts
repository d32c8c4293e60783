/** Item resources requested from the Creators API (camelCase; PA-API gets them capitalised). */

/** What searchByCodes asks for: enough to match a code and to show a candidate. */
export const SEARCH_RESOURCES = [
  'itemInfo.title',
  'itemInfo.externalIds',
  'itemInfo.byLineInfo',
  'itemInfo.classifications',
  'images.primary.large',
  'offersV2.listings.price',
  'offersV2.listings.availability',
  'offersV2.listings.isBuyBoxWinner',
  // Matching reads the offer's condition (renewed, used) and the package's unit count (packs);
  // resources cost no request, only response bytes.
  'offersV2.listings.condition',
  'itemInfo.productInfo',
  'browseNodeInfo.websiteSalesRank',
  'parentASIN',
] as const;

/** What getItems asks for: the full normalised product. */
export const ITEM_RESOURCES = [
  ...SEARCH_RESOURCES,
  'images.variants.large',
  'browseNodeInfo.browseNodes',
  'browseNodeInfo.browseNodes.salesRank',
  // In PA-API's public list; in the Creators API only in the official SDK enums (reference §1.4).
  'customerReviews.count',
  'customerReviews.starRating',
] as const;

/** getVariations: the item resources plus the variation dimensions. */
export const VARIATION_RESOURCES = [
  ...ITEM_RESOURCES,
  'variationSummary.variationDimension',
] as const;

/** `itemInfo.externalIds` → `ItemInfo.ExternalIds`, `parentASIN` → `ParentASIN`. */
export function toPascalResource(resource: string): string {
  return resource
    .split('.')
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('.');
}
