import { setMaxListeners } from 'node:events';
import type { Caller } from './caller.js';
import { isAbort, isAmazonError, AmazonError, stopsTheBatch } from './errors.js';
import { field, firstField, list, num, text } from './json.js';
import type { AmazonProduct } from './product.js';
import type { SearchOptions, SearchOutcome } from './provider.js';
import { SEARCH_RESOURCES } from './resources.js';

/**
 * Searches every code (one searchItems each). All codes are queued at once so the limiter
 * pipelines them; the first fatal error (bad credentials, not eligible, daily quota) cancels
 * the codes still waiting, which get that same error without a request.
 */
export async function searchByCodes(
  caller: Caller,
  codes: string[],
  opts: SearchOptions = {},
): Promise<Map<string, SearchOutcome>> {
  const unique = [...new Set(codes)];
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  // Every queued code listens to this one signal while it waits for its slot.
  setMaxListeners(0, signal);
  const outcomes = await Promise.all(
    unique.map(async (code): Promise<SearchOutcome> => {
      try {
        return await searchOne(caller, code, { ...opts, signal });
      } catch (e) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (stop.signal.aborted && isAbort(e, signal)) {
          return { status: 'error', error: stop.signal.reason as AmazonError, requestIds: [] };
        }
        const error = asAmazonError(e);
        if (stopsTheBatch(error) && !stop.signal.aborted) stop.abort(error);
        return { status: 'error', error, requestIds: error.requestId ? [error.requestId] : [] };
      }
    }),
  );
  return new Map(unique.map((code, i) => [code, outcomes[i] as SearchOutcome]));
}

function asAmazonError(e: unknown): AmazonError {
  if (isAmazonError(e)) return e;
  return new AmazonError('unknown', `Unexpected failure: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
  });
}

/** One code: page 1, and further pages only while `isMatch` finds nothing and more exist. */
async function searchOne(
  caller: Caller,
  code: string,
  opts: SearchOptions,
): Promise<SearchOutcome> {
  const maxPages = opts.isMatch ? Math.min(10, Math.max(1, opts.maxPages ?? 2)) : 1;
  const requestIds: string[] = [];
  const items: AmazonProduct[] = [];
  let total: number | null = null;
  for (let page = 1; page <= maxPages; page++) {
    const result = await searchPage(caller, code, page, opts);
    if (result.requestId) requestIds.push(result.requestId);
    if (result.items === null) break;
    items.push(...result.items);
    total = result.total ?? total;
    if (!opts.isMatch || result.items.some((i) => opts.isMatch?.(i, code))) break;
    if (total === null || page * 10 >= total || result.items.length === 0) break;
  }
  if (items.length === 0)
    return { status: 'not_found', items: [], totalResultCount: 0, requestIds };
  return { status: 'found', items, totalResultCount: total, requestIds };
}

interface Page {
  /** null: no results (404, or `NoResults` in a 200). */
  items: AmazonProduct[] | null;
  total: number | null;
  requestId: string | null;
}

async function searchPage(
  caller: Caller,
  code: string,
  page: number,
  opts: SearchOptions,
): Promise<Page> {
  const body: Record<string, unknown> = {
    partnerTag: caller.partnerTag,
    keywords: code,
    searchIndex: opts.searchIndex ?? 'All',
    itemCount: 10,
    // The default (`Available`) hides out-of-stock items, which are still the code's ASIN.
    availability: 'IncludeOutOfStock',
    resources: [...SEARCH_RESOURCES],
  };
  if (page > 1) body.itemPage = page;
  try {
    const res = await caller.run('searchItems', body, opts.signal);
    const result = field(res.body, 'searchResult');
    const noResults = list(field(res.body, 'errors')).some(
      (e) => text(field(e, 'code')) === 'NoResults',
    );
    if (result === null || noResults) return { items: null, total: null, requestId: res.requestId };
    const items = list(firstField(result, 'items'))
      .map((i) => caller.normalize(i))
      .filter((p): p is AmazonProduct => p !== null);
    return { items, total: num(field(result, 'totalResultCount')), requestId: res.requestId };
  } catch (e) {
    // "No results" is a 404 on the Creators API; past page 1 it only means the end.
    if (isAmazonError(e) && e.code === 'not_found')
      return { items: null, total: null, requestId: e.requestId };
    if (page > 1 && isAmazonError(e) && !stopsTheBatch(e))
      return { items: null, total: null, requestId: e.requestId };
    throw e;
  }
}
