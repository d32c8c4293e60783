import type { ValidationIssue } from './api-error.js';

/** Item-level resources of getItems / searchItems / getVariations (reference §1.4). */
export const ITEM_RESOURCES: readonly string[] = [
  'browseNodeInfo.browseNodes',
  'browseNodeInfo.browseNodes.ancestor',
  'browseNodeInfo.browseNodes.salesRank',
  'browseNodeInfo.websiteSalesRank',
  'customerReviews.count',
  'customerReviews.starRating',
  'images.primary.small',
  'images.primary.medium',
  'images.primary.large',
  'images.primary.highRes',
  'images.variants.small',
  'images.variants.medium',
  'images.variants.large',
  'images.variants.highRes',
  'itemInfo.byLineInfo',
  'itemInfo.classifications',
  'itemInfo.contentInfo',
  'itemInfo.contentRating',
  'itemInfo.externalIds',
  'itemInfo.features',
  'itemInfo.manufactureInfo',
  'itemInfo.productInfo',
  'itemInfo.technicalInfo',
  'itemInfo.title',
  'itemInfo.tradeInInfo',
  'offersV2.listings.availability',
  'offersV2.listings.condition',
  'offersV2.listings.dealDetails',
  'offersV2.listings.isBuyBoxWinner',
  'offersV2.listings.loyaltyPoints',
  'offersV2.listings.merchantInfo',
  'offersV2.listings.price',
  'offersV2.listings.type',
  'parentASIN',
];

/** Operation names shared by both protocols. */
export type OperationName = 'getItems' | 'searchItems' | 'getVariations' | 'getBrowseNodes';

/** Resources accepted by an operation, camelCase. */
export function resourcesOf(op: OperationName): readonly string[] {
  if (op === 'getBrowseNodes') return ['browseNodes.ancestor', 'browseNodes.children'];
  if (op === 'searchItems') return [...ITEM_RESOURCES, 'searchRefinements'];
  if (op === 'getVariations')
    return [
      ...ITEM_RESOURCES,
      'variationSummary.price.highestPrice',
      'variationSummary.price.lowestPrice',
      'variationSummary.variationDimension',
    ];
  return ITEM_RESOURCES;
}

/** PA-API spelling of a camelCase resource (`itemInfo.title` → `ItemInfo.Title`). */
export function pascalResource(resource: string): string {
  return resource
    .split('.')
    .map((s) => (s === 'highRes' ? 'HiRes' : s.charAt(0).toUpperCase() + s.slice(1)))
    .join('.');
}

/**
 * Checks a `resources` value; returns the camelCase list (default `itemInfo.title`) or the issue.
 * Creators names must be camelCase; PA-API names PascalCase.
 */
export function checkResources(
  op: OperationName,
  value: unknown,
  protocol: 'creators' | 'paapi',
): { resources: string[] } | { issue: ValidationIssue } {
  const fallback = op === 'getBrowseNodes' ? [] : ['itemInfo.title'];
  if (value === undefined) return { resources: fallback };
  if (!Array.isArray(value) || value.length > 100)
    return { issue: { field: 'resources', kind: 'invalid', value } };
  const known = resourcesOf(op);
  const out: string[] = [];
  for (const r of value) {
    const camel =
      typeof r !== 'string'
        ? undefined
        : protocol === 'creators'
          ? known.find((k) => k === r)
          : known.find((k) => pascalResource(k) === r);
    if (!camel) return { issue: { field: 'resources', kind: 'invalid', value: r } };
    out.push(camel);
  }
  return { resources: out };
}

/**
 * Copies into `dst` the part of `src` a resource path names, going through arrays element by
 * element, so `offersV2.listings.price` keeps only the prices of every listing.
 */
export function copyPath(src: unknown, dst: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || src === null || typeof src !== 'object') return;
  const value = (src as Record<string, unknown>)[head];
  if (value === undefined) return;
  if (rest.length === 0) {
    dst[head] = structuredClone(value);
  } else if (Array.isArray(value)) {
    const target = (dst[head] as Record<string, unknown>[] | undefined) ?? value.map(() => ({}));
    value.forEach((v, i) => copyPath(v, target[i] as Record<string, unknown>, rest));
    dst[head] = target;
  } else {
    const target = (dst[head] as Record<string, unknown> | undefined) ?? {};
    copyPath(value, target, rest);
    if (Object.keys(target).length > 0) dst[head] = target;
  }
}

const BROWSE_NODE_BASE = ['id', 'displayName', 'contextFreeName', 'isRoot'];

/** Keeps only what the resources ask for, plus the keys always present. */
export function selectResources(
  full: Record<string, unknown>,
  resources: string[],
  always: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of always) if (full[key] !== undefined) out[key] = full[key];
  for (const r of resources) {
    if (r === 'browseNodeInfo.browseNodes') {
      for (const f of BROWSE_NODE_BASE) copyPath(full, out, ['browseNodeInfo', 'browseNodes', f]);
    } else {
      const path = r.split('.').map((s) => (s === 'highRes' ? 'hiRes' : s));
      copyPath(full, out, path);
    }
  }
  return out;
}
