import { asinProblem, isValidAsin, normalizeAsin } from '../asin.js';
import { AmazonError, isAmazonError } from '../errors.js';
import { field, list } from '../json.js';
import type { AmazonProduct } from '../product.js';
import type {
  CallOptions,
  GetItemsResult,
  ItemError,
  VariationsOptions,
  VariationsResult,
} from '../provider.js';
import { childAsinsOf, variationThemeOf } from './spapi-normalize.js';
import type { SpapiRequester } from './spapi-requester.js';

/** Full product data: the search's data plus `attributes` (reference §3.3 includedData). */
export const ITEM_INCLUDED_DATA =
  'attributes,identifiers,summaries,images,salesRanks,relationships';
/** ASINs per `identifiersType=ASIN` search when several items are wanted at once. */
export const MAX_ASINS_PER_CALL = 20;

/**
 * Items by ASIN. One ASIN: getCatalogItem (`GET /items/{asin}`); several: searchCatalogItems
 * with `identifiersType=ASIN`, 20 per request. Malformed ASINs are refused without a request;
 * an ASIN Amazon does not return is `ItemNotFound`. The result follows the requested order.
 */
export async function getCatalogItems(
  r: SpapiRequester,
  asins: string[],
  opts: CallOptions = {},
): Promise<GetItemsResult> {
  const wanted = [...new Set(asins.map(normalizeAsin))];
  const valid = wanted.filter(isValidAsin);
  const result: GetItemsResult = { items: new Map(), errors: new Map(), requestIds: [] };
  const fetched = new Map<string, AmazonProduct>();
  const failed = new Map<string, ItemError>();
  if (valid.length === 1) {
    await getOne(r, valid[0] as string, fetched, failed, result.requestIds, opts.signal);
  } else {
    const chunks: string[][] = [];
    for (let i = 0; i < valid.length; i += MAX_ASINS_PER_CALL)
      chunks.push(valid.slice(i, i + MAX_ASINS_PER_CALL));
    await Promise.all(
      chunks.map((c) => searchAsins(r, c, fetched, failed, result.requestIds, opts.signal)),
    );
  }
  for (const asin of wanted) {
    const item = fetched.get(asin);
    if (item) result.items.set(asin, item);
    else if (!isValidAsin(asin))
      result.errors.set(asin, { code: 'InvalidParameterValue', message: asinProblem(asin) });
    else result.errors.set(asin, failed.get(asin) ?? notReturned(asin));
  }
  return result;
}

function notReturned(asin: string): ItemError {
  return {
    code: 'ItemNotFound',
    message: `The ASIN ${asin} was not returned by Amazon for this marketplace.`,
  };
}

async function getOne(
  r: SpapiRequester,
  asin: string,
  into: Map<string, AmazonProduct>,
  failed: Map<string, ItemError>,
  requestIds: string[],
  signal?: AbortSignal,
): Promise<unknown> {
  const query = new URLSearchParams({
    marketplaceIds: r.marketplaceId,
    includedData: ITEM_INCLUDED_DATA,
  });
  try {
    const res = await r.get(
      `/catalog/2022-04-01/items/${encodeURIComponent(asin)}`,
      query,
      'getCatalogItem',
      signal,
    );
    if (res.requestId) requestIds.push(res.requestId);
    const p = r.normalize(res.body);
    if (p) into.set(normalizeAsin(p.asin), p);
    return res.body;
  } catch (e) {
    if (!isAmazonError(e) || (e.code !== 'not_found' && e.code !== 'invalid_data')) throw e;
    if (e.requestId) requestIds.push(e.requestId);
    failed.set(asin, {
      code: e.code === 'not_found' ? 'ItemNotFound' : 'InvalidParameterValue',
      message: e.message,
    });
    return null;
  }
}

async function searchAsins(
  r: SpapiRequester,
  asins: string[],
  into: Map<string, AmazonProduct>,
  failed: Map<string, ItemError>,
  requestIds: string[],
  signal?: AbortSignal,
): Promise<void> {
  const query = new URLSearchParams({
    identifiers: asins.join(','),
    identifiersType: 'ASIN',
    marketplaceIds: r.marketplaceId,
    includedData: ITEM_INCLUDED_DATA,
    pageSize: String(MAX_ASINS_PER_CALL),
  });
  try {
    const res = await r.get('/catalog/2022-04-01/items', query, 'searchCatalogItems', signal);
    if (res.requestId) requestIds.push(res.requestId);
    for (const raw of list(field(res.body, 'items'))) {
      const p = r.normalize(raw);
      if (p && asins.includes(normalizeAsin(p.asin))) into.set(normalizeAsin(p.asin), p);
    }
  } catch (e) {
    if (!isAmazonError(e) || e.code !== 'invalid_data' || e.retryable) throw e;
    if (asins.length === 1) {
      failed.set(asins[0] as string, { code: 'InvalidParameterValue', message: e.message });
      return;
    }
    const half = Math.ceil(asins.length / 2);
    await Promise.all([
      searchAsins(r, asins.slice(0, half), into, failed, requestIds, signal),
      searchAsins(r, asins.slice(half), into, failed, requestIds, signal),
    ]);
  }
}

/**
 * A parent's variations through its `relationships`: getCatalogItem of the parent, then its
 * children 20 per request. An ASIN with no children (or unknown) throws `not_found`.
 */
export async function getCatalogVariations(
  r: SpapiRequester,
  rawAsin: string,
  opts: VariationsOptions = {},
): Promise<VariationsResult> {
  const asin = normalizeAsin(rawAsin);
  if (!isValidAsin(asin))
    throw new AmazonError('invalid_data', asinProblem(rawAsin), { reason: 'InvalidAsin' });
  const requestIds: string[] = [];
  const parentItems = new Map<string, AmazonProduct>();
  const failed = new Map<string, ItemError>();
  const body = await getOne(r, asin, parentItems, failed, requestIds, opts.signal);
  const children = body === null ? [] : childAsinsOf(body, r.marketplaceId);
  if (children.length === 0)
    throw new AmazonError('not_found', `SP-API: ${asin} has no variations in this marketplace.`, {
      reason: failed.get(asin)?.code ?? 'NoVariations',
      provider: 'spapi',
      requestId: requestIds[0] ?? null,
    });
  // Pages of 10 as the other providers count them (VariationsOptions.maxPages).
  const wanted = children.slice(0, 10 * Math.max(1, opts.maxPages ?? 1));
  const got = await getCatalogItems(r, wanted, opts);
  const items = wanted
    .map((a) => got.items.get(a))
    .filter((p): p is AmazonProduct => p !== undefined);
  const theme = variationThemeOf(body, r.marketplaceId);
  return {
    items,
    variationCount: children.length,
    pageCount: Math.ceil(children.length / 10),
    dimensions: theme.map((name) => ({
      name,
      displayName: null,
      values: [
        ...new Set(
          items.map((i) => i.variation_attributes?.[name]).filter((v): v is string => !!v),
        ),
      ],
    })),
    requestIds: [...requestIds, ...got.requestIds],
  };
}
