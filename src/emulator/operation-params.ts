import type { ValidationIssue } from './api-error.js';
import { validationError } from './api-error.js';
import { SEARCH_INDEXES } from './marketplaces.js';
import type { OperationName } from './resources.js';
import { checkResources } from './resources.js';
import type { SearchParams } from './search.js';

/** A request body, camelCase (PA-API bodies are converted before they get here). */
export type Body = Record<string, unknown>;

const ASIN = /^[0-9]{9}[0-9X]$|^[A-Z][A-Z0-9]{9}$/;
const NODE_ID = /^\d{1,19}$/;
const SORTS = [
  'AvgCustomerReviews',
  'Featured',
  'NewestArrivals',
  'Price:HighToLow',
  'Price:LowToHigh',
  'Relevance',
];
const SEARCH_FIELDS = ['keywords', 'actor', 'artist', 'author', 'brand', 'title'];

/** Collects validation issues for one request body. */
class Checker {
  readonly issues: ValidationIssue[] = [];
  constructor(readonly body: Body) {}

  int(field: string, min: number, max: number, fallback: number): number {
    const v = this.body[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.issues.push({ field, kind: 'invalid', value: v, detail: `between ${min} and ${max}` });
      return fallback;
    }
    return v;
  }

  optionalString(field: string, max: number, pattern?: RegExp): string | undefined {
    const v = this.body[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '' || v.length > max || (pattern && !pattern.test(v)))
      this.issues.push({ field, kind: 'invalid', value: v });
    return typeof v === 'string' ? v : undefined;
  }

  oneOf(field: string, allowed: readonly string[], fallback: string): string {
    const v = this.body[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !allowed.includes(v)) {
      this.issues.push({ field, kind: 'invalid', value: v });
      return fallback;
    }
    return v;
  }

  list(field: string, min: number, max: number, item: RegExp | undefined): string[] {
    const v = this.body[field];
    if (v === undefined) {
      if (min > 0) this.issues.push({ field, kind: 'missing' });
      return [];
    }
    const ok =
      Array.isArray(v) &&
      v.length >= min &&
      v.length <= max &&
      v.every((x) => typeof x === 'string' && (!item || item.test(x)));
    if (!ok)
      this.issues.push({
        field,
        kind: 'invalid',
        value: v,
        detail: `an array of ${min} to ${max} valid entries`,
      });
    return ok ? (v as string[]) : [];
  }

  common(op: OperationName, protocol: 'creators' | 'paapi'): string[] {
    const tag = this.body.partnerTag;
    if (tag === undefined) this.issues.push({ field: 'partnerTag', kind: 'missing' });
    else if (typeof tag !== 'string' || tag.trim() === '' || tag.length > 64)
      this.issues.push({ field: 'partnerTag', kind: 'invalid', value: tag });
    this.list('languagesOfPreference', 0, 1, undefined);
    this.oneOf('condition', ['Any', 'New', 'Used', 'Collectible', 'Refurbished'], 'Any');
    this.optionalString('currencyOfPreference', 100);
    const checked = checkResources(op, this.body.resources, protocol);
    if ('issue' in checked) {
      this.issues.push(checked.issue);
      return [];
    }
    return checked.resources;
  }

  done(): void {
    if (this.issues.length > 0) throw validationError(this.issues);
  }
}

/** Validated getItems parameters. */
export interface GetItemsParams {
  itemIds: string[];
  resources: string[];
}

/** Validates a getItems body (itemIds 1–10, itemIdType ASIN only, resources). */
export function getItemsParams(body: Body, protocol: 'creators' | 'paapi'): GetItemsParams {
  const c = new Checker(body);
  const resources = c.common('getItems', protocol);
  const itemIds = c.list('itemIds', 1, 10, undefined);
  c.oneOf('itemIdType', ['ASIN'], 'ASIN');
  c.done();
  return { itemIds, resources };
}

/** Validated searchItems parameters. */
export interface SearchItemsParams extends SearchParams {
  itemCount: number;
  itemPage: number;
  resources: string[];
  minReviewsRating?: number;
}

/** Validates a searchItems body (a search field, itemCount/itemPage 1–10, enums, prices). */
export function searchItemsParams(body: Body, protocol: 'creators' | 'paapi'): SearchItemsParams {
  const c = new Checker(body);
  const resources = c.common('searchItems', protocol);
  const [keywords, , , , brand, title] = SEARCH_FIELDS.map((f) => c.optionalString(f, 1000));
  const browseNodeId = c.optionalString('browseNodeId', 19, NODE_ID);
  if (!SEARCH_FIELDS.some((f) => body[f] !== undefined) && body.browseNodeId === undefined)
    c.issues.push({ field: 'keywords', kind: 'missing' });
  const p: SearchItemsParams = {
    keywords,
    title,
    brand,
    browseNodeId,
    resources,
    itemCount: c.int('itemCount', 1, 10, 10),
    itemPage: c.int('itemPage', 1, 10, 1),
    searchIndex: c.oneOf('searchIndex', [...SEARCH_INDEXES], 'All'),
    availability: c.oneOf('availability', ['Available', 'IncludeOutOfStock'], 'Available') as
      'Available' | 'IncludeOutOfStock',
    sortBy: c.oneOf('sortBy', SORTS, 'Relevance'),
  };
  if (body.minPrice !== undefined) p.minPrice = c.int('minPrice', 1, Number.MAX_SAFE_INTEGER, 1);
  if (body.maxPrice !== undefined) p.maxPrice = c.int('maxPrice', 1, Number.MAX_SAFE_INTEGER, 1);
  if (body.minReviewsRating !== undefined) p.minReviewsRating = c.int('minReviewsRating', 1, 4, 1);
  c.int('minSavingPercent', 1, 99, 1);
  c.list('deliveryFlags', 0, 4, /^(AmazonGlobal|FreeShipping|FulfilledByAmazon|Prime)$/);
  c.done();
  return p;
}

/** Validated getVariations parameters. */
export interface GetVariationsParams {
  asin: string;
  variationCount: number;
  variationPage: number;
  resources: string[];
}

/** Validates a getVariations body (asin, variationCount 1–10, variationPage ≥ 1). */
export function getVariationsParams(
  body: Body,
  protocol: 'creators' | 'paapi',
): GetVariationsParams {
  const c = new Checker(body);
  const resources = c.common('getVariations', protocol);
  if (body.asin === undefined) c.issues.push({ field: 'asin', kind: 'missing' });
  const asin = c.optionalString('asin', 10, ASIN) ?? '';
  const variationCount = c.int('variationCount', 1, 10, 10);
  const variationPage = c.int('variationPage', 1, Number.MAX_SAFE_INTEGER, 1);
  c.done();
  return { asin, variationCount, variationPage, resources };
}

/** Validated getBrowseNodes parameters. */
export interface GetBrowseNodesParams {
  browseNodeIds: string[];
  resources: string[];
}

/** Validates a getBrowseNodes body (browseNodeIds 1–10, its own resources). */
export function getBrowseNodesParams(
  body: Body,
  protocol: 'creators' | 'paapi',
): GetBrowseNodesParams {
  const c = new Checker(body);
  const resources = c.common('getBrowseNodes', protocol);
  const browseNodeIds = c.list('browseNodeIds', 1, 10, NODE_ID);
  c.done();
  return { browseNodeIds, resources };
}

/** True for a well-formed ASIN. */
export function isAsin(text: string): boolean {
  return ASIN.test(text);
}
