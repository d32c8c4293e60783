import { asinProblem, isValidAsin, normalizeAsin } from './asin.js';
import type { Caller } from './caller.js';
import { isAmazonError } from './errors.js';
import { field, firstField, list, text } from './json.js';
import type { AmazonProduct } from './product.js';
import type { CallOptions, GetItemsResult, ItemError } from './provider.js';
import { ITEM_RESOURCES } from './resources.js';

/** getItems takes at most 10 ids per request (reference §1.5). */
export const MAX_ITEMS_PER_CALL = 10;

interface ChunkResult {
  items: Map<string, AmazonProduct>;
  errors: Map<string, ItemError>;
  requestIds: string[];
}

/**
 * Fetches items by ASIN, 10 per request, all chunks queued at once (the limiter paces them).
 * Malformed ASINs are refused without a request; one bad id never hides the others (partial
 * `errors[]`, a 404 for an all-invalid chunk, a 400 splits the chunk to isolate the bad id).
 * The result follows the requested order.
 */
export async function getItems(
  caller: Caller,
  asins: string[],
  opts: CallOptions = {},
): Promise<GetItemsResult> {
  const wanted = [...new Set(asins.map(normalizeAsin))];
  const valid = wanted.filter(isValidAsin);
  const chunks: string[][] = [];
  for (let i = 0; i < valid.length; i += MAX_ITEMS_PER_CALL)
    chunks.push(valid.slice(i, i + MAX_ITEMS_PER_CALL));
  const parts = await Promise.all(chunks.map((c) => fetchChunk(caller, c, opts.signal)));
  const result: GetItemsResult = { items: new Map(), errors: new Map(), requestIds: [] };
  for (const asin of wanted) {
    if (!isValidAsin(asin)) {
      result.errors.set(asin, { code: 'InvalidParameterValue', message: asinProblem(asin) });
      continue;
    }
    const part = parts[Math.floor(valid.indexOf(asin) / MAX_ITEMS_PER_CALL)] as ChunkResult;
    const item = part.items.get(asin);
    if (item) result.items.set(asin, item);
    else result.errors.set(asin, part.errors.get(asin) ?? notReturned(asin));
  }
  for (const p of parts) result.requestIds.push(...p.requestIds);
  return result;
}

function notReturned(asin: string): ItemError {
  return { code: 'ItemNotFound', message: `The ItemId ${asin} was not returned by Amazon.` };
}

async function fetchChunk(
  caller: Caller,
  ids: string[],
  signal?: AbortSignal,
): Promise<ChunkResult> {
  // Only fields of the SDK's GetItemsRequestContent: no `itemIdType` (a PA-API parameter whose
  // only value, ASIN, is the default; PA-API gets the same body capitalised).
  const body = {
    partnerTag: caller.partnerTag,
    itemIds: ids,
    resources: [...ITEM_RESOURCES],
  };
  try {
    const res = await caller.run('getItems', body, signal);
    return parseChunk(caller, ids, res.body, res.requestId);
  } catch (e) {
    if (!isAmazonError(e)) throw e;
    const requestIds = e.requestId ? [e.requestId] : [];
    if (e.code === 'not_found') {
      const errors = new Map(ids.map((id) => [id, { code: 'ItemNotFound', message: e.message }]));
      return { items: new Map(), errors, requestIds };
    }
    if (e.code === 'invalid_data' && ids.length > 1) {
      const half = Math.ceil(ids.length / 2);
      const parts = await Promise.all([
        fetchChunk(caller, ids.slice(0, half), signal),
        fetchChunk(caller, ids.slice(half), signal),
      ]);
      return merge(parts, requestIds);
    }
    if (e.code === 'invalid_data') {
      return {
        items: new Map(),
        errors: new Map([
          [ids[0] as string, { code: e.reason ?? 'InvalidParameterValue', message: e.message }],
        ]),
        requestIds,
      };
    }
    throw e;
  }
}

function parseChunk(
  caller: Caller,
  ids: string[],
  body: unknown,
  requestId: string | null,
): ChunkResult {
  // `itemResults` appears in one docs sample (reference §7.2): accepted too.
  const container = firstField(body, 'itemsResult', 'itemResults');
  const items = new Map<string, AmazonProduct>();
  for (const raw of list(field(container, 'items'))) {
    const p = caller.normalize(raw);
    if (p) items.set(normalizeAsin(p.asin), p);
  }
  const errors = new Map<string, ItemError>();
  for (const err of list(field(body, 'errors'))) {
    const code = text(field(err, 'code')) ?? 'Unknown';
    const message = text(field(err, 'message')) ?? code;
    // Partial errors name the id only inside the message.
    for (const id of ids)
      if (!items.has(id) && message.includes(id)) errors.set(id, { code, message });
  }
  return { items, errors, requestIds: requestId ? [requestId] : [] };
}

function merge(parts: ChunkResult[], requestIds: string[]): ChunkResult {
  const out: ChunkResult = { items: new Map(), errors: new Map(), requestIds: [...requestIds] };
  for (const p of parts) {
    for (const [k, v] of p.items) out.items.set(k, v);
    for (const [k, v] of p.errors) out.errors.set(k, v);
    out.requestIds.push(...p.requestIds);
  }
  return out;
}
