import { setMaxListeners } from 'node:events';
import { AmazonError, isAbort, isAmazonError, stopsTheBatch } from '../errors.js';
import { field, list, text } from '../json.js';
import type { AmazonProduct } from '../product.js';
import type { SearchOptions, SearchOutcome } from '../provider.js';
import { listedGtin14s, wireCode, type WireCode } from './spapi-identifiers.js';
import { identifiersOf } from './spapi-normalize.js';
import type { SpapiRequester } from './spapi-requester.js';

/** Identifiers per searchCatalogItems request, and items per page (reference §3.3). */
export const MAX_CODES_PER_CALL = 20;
const PAGE_SIZE = 20;
/** Pages followed at most per request: 20 codes × 10 pages = 10 items per code on average. */
const MAX_PAGES = 10;

export const SEARCH_INCLUDED_DATA = 'identifiers,summaries,images,salesRanks,relationships';

type Outcomes = Map<string, SearchOutcome>;

/**
 * Looks codes up with searchCatalogItems: grouped by identifier type, 20 per request, every
 * page followed. Returns one outcome per distinct code, in input order. A code the codes module
 * rejects gets `invalid_data` without a request; a 400 on a batch splits it in halves until the
 * code Amazon refuses is alone (it alone becomes `invalid_data`).
 */
export async function searchCatalogByCodes(
  r: SpapiRequester,
  codes: string[],
  opts: SearchOptions = {},
): Promise<Outcomes> {
  const unique = [...new Set(codes)];
  const out: Outcomes = new Map();
  const groups = new Map<string, WireCode[]>();
  for (const code of unique) {
    const w = wireCode(code);
    if (!w) {
      out.set(code, errorOutcome(invalidCode(code)));
      continue;
    }
    const g = groups.get(w.type) ?? [];
    g.push(w);
    groups.set(w.type, g);
  }
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  setMaxListeners(0, signal);
  const batches: WireCode[][] = [];
  for (const g of groups.values())
    for (let i = 0; i < g.length; i += MAX_CODES_PER_CALL)
      batches.push(g.slice(i, i + MAX_CODES_PER_CALL));
  const parts = await Promise.all(
    batches.map((b) => searchBatch(r, b, { signal, stop, outer: opts.signal })),
  );
  const merged = new Map(parts.flatMap((p) => [...p]));
  return new Map(unique.map((c) => [c, out.get(c) ?? (merged.get(c) as SearchOutcome)]));
}

interface BatchContext {
  signal: AbortSignal;
  stop: AbortController;
  outer: AbortSignal | undefined;
}

async function searchBatch(
  r: SpapiRequester,
  batch: WireCode[],
  ctx: BatchContext,
): Promise<Outcomes> {
  try {
    const { items, requestIds } = await fetchAllPages(r, batch, ctx.signal);
    return joinItems(r, batch, items, requestIds);
  } catch (e) {
    if (ctx.outer?.aborted) throw ctx.outer.reason;
    if (ctx.stop.signal.aborted && isAbort(e, ctx.signal))
      return allFailed(batch, ctx.stop.signal.reason as AmazonError);
    const error = asAmazonError(e);
    if (error.code === 'invalid_data' && !error.retryable && batch.length > 1) {
      // One refused identifier fails the whole request (reference §3.4): halve until it is alone.
      const half = Math.ceil(batch.length / 2);
      const [a, b] = await Promise.all([
        searchBatch(r, batch.slice(0, half), ctx),
        searchBatch(r, batch.slice(half), ctx),
      ]);
      return new Map([...a, ...b]);
    }
    if (stopsTheBatch(error) && !ctx.stop.signal.aborted) ctx.stop.abort(error);
    return allFailed(batch, error);
  }
}

/** Every page of one request, following `pagination.nextToken` exactly as received. */
async function fetchAllPages(r: SpapiRequester, batch: WireCode[], signal: AbortSignal) {
  const items: unknown[] = [];
  const requestIds: string[] = [];
  let pageToken: string | null = null;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const query = new URLSearchParams({
      identifiers: batch.map((w) => w.identifier).join(','),
      identifiersType: batch[0]?.type ?? 'EAN',
      marketplaceIds: r.marketplaceId,
      includedData: SEARCH_INCLUDED_DATA,
      pageSize: String(PAGE_SIZE),
    });
    if (pageToken !== null) query.set('pageToken', pageToken);
    const res = await r.get('/catalog/2022-04-01/items', query, 'searchCatalogItems', signal);
    if (res.requestId) requestIds.push(res.requestId);
    items.push(...list(field(res.body, 'items')));
    pageToken = text(field(field(res.body, 'pagination'), 'nextToken'));
    if (pageToken === null) break;
    if (page === MAX_PAGES)
      r.logger?.warn(
        { codes: batch.length, pages: page },
        'spapi: more pages than followed; the rest is ignored',
      );
  }
  return { items, requestIds };
}

/**
 * The API does not say which requested code an item matched (reference §3.3): every listed
 * identifier and every requested code become GTIN-14s and are joined. An item joined to no code
 * is noise (logged at debug); a code joined to no item is not found.
 */
function joinItems(
  r: SpapiRequester,
  batch: WireCode[],
  raw: unknown[],
  requestIds: string[],
): Outcomes {
  const byGtin = new Map<string, WireCode[]>();
  for (const w of batch) byGtin.set(w.gtin14, [...(byGtin.get(w.gtin14) ?? []), w]);
  const found = new Map<string, AmazonProduct[]>();
  for (const item of raw) {
    const product = r.normalize(item);
    if (!product) continue;
    const joined = new Set<WireCode>();
    for (const { type, id } of identifiersOf(item, r.marketplaceId))
      for (const g of listedGtin14s(id, type)) for (const w of byGtin.get(g) ?? []) joined.add(w);
    if (joined.size === 0) {
      r.logger?.debug(
        { asin: product.asin, requestIds },
        'spapi: an item matches no requested code; ignored',
      );
      continue;
    }
    for (const w of joined) {
      const list = found.get(w.code) ?? [];
      if (!list.some((p) => p.asin === product.asin)) list.push(product);
      found.set(w.code, list);
    }
  }
  const out: Outcomes = new Map();
  for (const w of batch) {
    const items = found.get(w.code) ?? [];
    out.set(
      w.code,
      items.length > 0
        ? { status: 'found', items, totalResultCount: items.length, requestIds }
        : { status: 'not_found', items: [], totalResultCount: 0, requestIds },
    );
  }
  return out;
}

function allFailed(batch: WireCode[], error: AmazonError): Outcomes {
  return new Map(batch.map((w) => [w.code, errorOutcome(error)]));
}

function errorOutcome(error: AmazonError): SearchOutcome {
  return { status: 'error', error, requestIds: error.requestId ? [error.requestId] : [] };
}

function invalidCode(code: string): AmazonError {
  return new AmazonError(
    'invalid_data',
    `"${code}" is not a valid EAN, UPC, ISBN or GTIN-14; it was not sent.`,
    {
      reason: 'InvalidCode',
      provider: 'spapi',
    },
  );
}

function asAmazonError(e: unknown): AmazonError {
  if (isAmazonError(e)) return e;
  return new AmazonError('unknown', `Unexpected failure: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
  });
}
