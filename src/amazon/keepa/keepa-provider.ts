import { setMaxListeners } from 'node:events';
import { systemClock } from '../clock.js';
import type { AmazonClientDeps } from '../provider-entry.js';
import { AmazonError, isAbort, isAmazonError, makesProviderUnusable } from '../errors.js';
import { field, list, text } from '../json.js';
import type { Marketplace } from '../marketplaces.js';
import type { AmazonProduct } from '../product.js';
import type { ProviderOptions } from '../provider-core.js';
import type {
  AmazonProvider,
  CallOptions,
  GetItemsResult,
  ItemError,
  SearchOutcome,
  VariationsResult,
} from '../provider.js';
import { DEFAULT_RETRY_POLICY, runWithRetries } from '../retry.js';
import { keepaGet, KeepaError, type KeepaResponse } from './keepa-http.js';
import { KEEPA_PRODUCT_TYPE, keepaQueryOf, readKeepaProduct } from './keepa-product.js';
import { KeepaTokenBudget } from './keepa-token-budget.js';

/** Codes (or ASINs) one `/product` request takes (reference §4: "up to 100"). */
export const KEEPA_MAX_CODES = 100;

export interface KeepaProviderConfig {
  key: string;
  /** `https://api.keepa.com`, or the emulator. */
  apiUrl: string;
  /** Keepa's id of the marketplace (`domain=`). */
  domainId: number;
  timeoutMs: number;
}

/** The Keepa provider, with its token budget (the quota dashboard reads it). */
export interface KeepaProvider extends AmazonProvider {
  readonly tokens: KeepaTokenBudget;
}

/**
 * Keepa behind the AmazonProvider interface: codes and ASINs 100 per `/product` request, paced by
 * the key's token budget (see `KeepaTokenBudget`), products matched back to the codes through
 * their `eanList`/`upcList`/`gtinList` read as GTIN-14.
 */
export function createKeepaProvider(
  c: KeepaProviderConfig,
  m: Marketplace,
  deps: AmazonClientDeps,
  o: ProviderOptions,
): KeepaProvider {
  const clock = o.clock ?? systemClock;
  const budget = new KeepaTokenBudget(o.limiter, clock);
  const policy = { ...DEFAULT_RETRY_POLICY, ...o.retry };
  const fetchFn = deps.fetch ?? fetch;

  /** One `/product` request costing about `cost` tokens, through the budget and the retries. */
  const product = (params: Record<string, string>, cost: number, signal?: AbortSignal) =>
    runWithRetries<KeepaResponse>(
      {
        limiter: budget.forCost(cost),
        clock,
        policy,
        signal,
        logger: o.logger,
        random: o.random,
        operation: 'keepa.product',
      },
      async (slot) => {
        await slot();
        try {
          const res = await keepaGet({ ...request(c, 'product', params), signal, fetch: fetchFn });
          budget.settle(cost, res.tokens);
          return res;
        } catch (e) {
          budget.settle(cost, e instanceof KeepaError ? e.tokens : null);
          throw e;
        }
      },
    );

  const provider: KeepaProvider = {
    name: 'keepa',
    marketplace: m,
    maxCodesPerCall: KEEPA_MAX_CODES,
    // `code=` takes UPC, EAN and ISBN-13 codes together (reference §4).
    usesSearchIndex: false,
    maxItemsPerCall: KEEPA_MAX_CODES,
    limiter: budget,
    tokens: budget,
    searchByCodes: (codes, opts = {}) => searchCodes(codes, opts.signal),
    getItems: (asins, opts) => getItems(asins, opts),
    getVariations: (asin, opts) => getVariations(asin, opts),
    checkAccess: async (opts) => {
      // The free token-status call: proves the key and teaches the budget its balance.
      const res = await keepaGet({
        ...request(c, 'token', {}),
        signal: opts?.signal,
        fetch: fetchFn,
      });
      budget.settle(0, res.tokens);
    },
  };

  async function searchCodes(codes: string[], signal?: AbortSignal) {
    const unique = [...new Set(codes)];
    const outcomes = new Map<string, SearchOutcome>();
    const valid: { code: string; query: string; gtin: string }[] = [];
    for (const code of unique) {
      const q = keepaQueryOf(code);
      if (q) valid.push({ code, ...q });
      else outcomes.set(code, { status: 'error', error: notACode(code), requestIds: [] });
    }
    const stop = new AbortController();
    const all = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    setMaxListeners(0, all);
    await Promise.all(
      chunks(valid, KEEPA_MAX_CODES).map(async (chunk) => {
        try {
          const res = await product(
            {
              domain: String(c.domainId),
              code: [...new Set(chunk.map((x) => x.query))].join(','),
              history: '0',
            },
            chunk.length,
            all,
          );
          for (const [code, outcome] of matchCodes(chunk, res.body, m, clock.now()))
            outcomes.set(code, outcome);
        } catch (e) {
          if (signal?.aborted) throw signal.reason;
          const error =
            stop.signal.aborted && isAbort(e, all)
              ? (stop.signal.reason as AmazonError)
              : asAmazonError(e);
          if (makesProviderUnusable(error.code) && !stop.signal.aborted) stop.abort(error);
          for (const x of chunk) outcomes.set(x.code, { status: 'error', error, requestIds: [] });
        }
      }),
    );
    return new Map(unique.map((code) => [code, outcomes.get(code) as SearchOutcome]));
  }

  async function getItems(asins: string[], opts?: CallOptions): Promise<GetItemsResult> {
    const unique = [...new Set(asins)];
    const items = new Map<string, AmazonProduct>();
    const errors = new Map<string, ItemError>();
    await Promise.all(
      chunks(unique, KEEPA_MAX_CODES).map(async (chunk) => {
        const res = await product(
          { domain: String(c.domainId), asin: chunk.join(','), history: '0', stats: '1' },
          chunk.length,
          opts?.signal,
        );
        const fetchedAt = new Date(clock.now()).toISOString();
        for (const raw of list(field(res.body, 'products'))) {
          const view = readKeepaProduct(raw, m, fetchedAt);
          if (view.usable) items.set(view.product.asin, view.product);
          else if (view.asin) errors.set(view.asin, itemErrorOf(view.productType));
        }
      }),
    );
    for (const asin of unique)
      if (!items.has(asin) && !errors.has(asin))
        errors.set(asin, {
          code: 'ItemNotFound',
          message: `Keepa knows no product ${asin} on ${m.domain}.`,
        });
    const ordered = new Map(
      unique.filter((a) => items.has(a)).map((a) => [a, items.get(a) as AmazonProduct]),
    );
    return { items: ordered, errors, requestIds: [] };
  }

  /** The parent's children (`variationCSV`), read 100 per request. */
  async function getVariations(asin: string, opts?: CallOptions): Promise<VariationsResult> {
    const first = await product(
      { domain: String(c.domainId), asin, history: '0' },
      1,
      opts?.signal,
    );
    const raw = list(field(first.body, 'products'))[0];
    const parentAsin = text(field(raw, 'parentAsin'));
    let parent = raw;
    if (
      parentAsin &&
      parentAsin !== asin &&
      field(raw, 'productType') !== KEEPA_PRODUCT_TYPE.VARIATION_PARENT
    ) {
      const up = await product(
        { domain: String(c.domainId), asin: parentAsin, history: '0' },
        1,
        opts?.signal,
      );
      parent = list(field(up.body, 'products'))[0];
    }
    const children = (text(field(parent, 'variationCSV')) ?? '').split(',').filter((a) => a !== '');
    const result = children.length > 0 ? await getItems(children, opts) : null;
    const items = result ? [...result.items.values()] : [];
    return { items, variationCount: children.length, pageCount: 1, dimensions: [], requestIds: [] };
  }

  return provider;
}

/** Every code of a request gets the products that list it; a lone code also gets the unlisted. */
function matchCodes(
  chunk: { code: string; gtin: string }[],
  body: unknown,
  m: Marketplace,
  now: number,
): Map<string, SearchOutcome> {
  const fetchedAt = new Date(now).toISOString();
  const byGtin = new Map(
    chunk.map((x) => [x.gtin, [] as { product: AmazonProduct; parent: boolean }[]]),
  );
  for (const raw of list(field(body, 'products'))) {
    const view = readKeepaProduct(raw, m, fetchedAt);
    if (!view.usable) continue;
    const listed = [...view.gtins].filter((g) => byGtin.has(g));
    const targets =
      listed.length > 0 ? listed : chunk.length === 1 ? [chunk[0]?.gtin as string] : [];
    for (const g of targets) byGtin.get(g)?.push(view);
  }
  const out = new Map<string, SearchOutcome>();
  for (const { code, gtin } of chunk) {
    // Variation parents last: matching never prefers them to a child (they are their own parent).
    const found = (byGtin.get(gtin) ?? []).sort((a, b) => Number(a.parent) - Number(b.parent));
    out.set(
      code,
      found.length === 0
        ? { status: 'not_found', items: [], totalResultCount: 0, requestIds: [] }
        : {
            status: 'found',
            items: found.map((f) => f.product),
            totalResultCount: found.length,
            requestIds: [],
          },
    );
  }
  return out;
}

function request(
  c: KeepaProviderConfig,
  path: 'product' | 'token',
  params: Record<string, string>,
) {
  const q = new URLSearchParams({ key: c.key, ...params });
  return {
    url: `${c.apiUrl.replace(/\/+$/, '')}/${path}?${q.toString().replace(/%2C/g, ',')}`,
    timeoutMs: c.timeoutMs,
    key: c.key,
    what: `Keepa /${path}`,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function itemErrorOf(productType: number): ItemError {
  return productType === KEEPA_PRODUCT_TYPE.UNACCESSIBLE
    ? { code: 'ItemNotAccessible', message: 'Keepa cannot access this product (productType 3).' }
    : { code: 'InvalidParameterValue', message: 'Keepa marks this ASIN invalid (productType 4).' };
}

function notACode(code: string): AmazonError {
  return new AmazonError(
    'invalid_data',
    `"${code}" is not an EAN, UPC, ISBN-13 or GTIN-14 Keepa can look up; check the code.`,
    { reason: 'InvalidCode', provider: 'keepa' },
  );
}

function asAmazonError(e: unknown): AmazonError {
  if (isAmazonError(e)) return e;
  return new AmazonError('unknown', `Unexpected failure: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
    provider: 'keepa',
  });
}
