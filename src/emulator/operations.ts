import { ApiError, notFound } from './api-error.js';
import type { CatalogProduct } from './catalog.js';
import type { MarketIndex } from './catalog-index.js';
import type { ViewContext } from './item-view.js';
import { browseNode, displayAmount, fullItem } from './item-view.js';
import type { Body } from './operation-params.js';
import {
  getBrowseNodesParams,
  getItemsParams,
  getVariationsParams,
  isAsin,
  searchItemsParams,
} from './operation-params.js';
import type { Random } from './random.js';
import type { OperationName } from './resources.js';
import { selectResources } from './resources.js';
import { searchProducts } from './search.js';

/** What an operation needs to know about the caller and the emulator. */
export interface OperationContext {
  market: MarketIndex;
  /** The credential's partner tag; the body's `partnerTag` must equal it. */
  partnerTag: string;
  protocol: 'creators' | 'paapi';
  rng: Random;
  /** Unrelated items added to each code search. */
  noise: number;
  /** Creators only: add the fields the SDK models lack (`EmulatorBehaviour.extraFields`). */
  extraFields?: boolean;
}

/** A camelCase response body (PA-API converts it to PascalCase). */
export type ResultBody = Record<string, unknown>;

const API_NAME = { creators: 'Creators API', paapi: 'Product Advertising API' } as const;

function checkPartnerTag(body: Body, ctx: OperationContext): void {
  if (body.partnerTag === ctx.partnerTag) return;
  throw new ApiError({
    status: 400,
    type: ctx.protocol === 'creators' ? 'ValidationException' : 'InvalidPartnerTagException',
    reason: 'InvalidPartnerTag',
    code: 'InvalidPartnerTag',
    message:
      'Partner tag in the request is invalid or is not mapped to the store associated with your credential.',
    paapiMessage: `The partner tag ${String(body.partnerTag)} is invalid or not mapped to the marketplace.`,
  });
}

function view(ctx: OperationContext, linkCode: string): ViewContext {
  return {
    market: ctx.market,
    partnerTag: ctx.partnerTag,
    linkCode,
    extraFields: ctx.extraFields ?? false,
  };
}

function render(p: CatalogProduct, v: ViewContext, resources: string[], extra: string[] = []) {
  return selectResources(fullItem(p, v), resources, ['asin', 'detailPageURL', ...extra]);
}

function shuffle<T>(items: T[], rng: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function getItems(body: Body, ctx: OperationContext): ResultBody {
  const p = getItemsParams(body, ctx.protocol);
  checkPartnerTag(body, ctx);
  const v = view(ctx, 'ogi');
  const items: ResultBody[] = [];
  const errors: { code: string; message: string }[] = [];
  for (const id of p.itemIds) {
    const product = isAsin(id) ? ctx.market.byAsin.get(id) : undefined;
    if (!product) {
      const noun = ctx.protocol === 'creators' ? 'ItemIds' : 'ItemId';
      const message = `The ${noun} ${id} provided in the request is invalid.`;
      errors.push({ code: 'InvalidParameterValue', message });
    } else if (product.accessible === false) {
      const message = `The ItemId ${id} is not accessible through the ${API_NAME[ctx.protocol]}.`;
      errors.push({ code: 'ItemNotAccessible', message });
    } else items.push(render(product, v, p.resources));
  }
  if (items.length === 0 && ctx.protocol === 'creators') {
    const e = notFound('Item', p.itemIds[0] ?? '', 'No items found for the requested item IDs.');
    throw e;
  }
  const out: ResultBody = {};
  if (errors.length) out.errors = errors;
  if (items.length) out.itemsResult = { items: shuffle(items, ctx.rng) };
  return out;
}

function searchItems(body: Body, ctx: OperationContext): ResultBody {
  const p = searchItemsParams(body, ctx.protocol);
  checkPartnerTag(body, ctx);
  let hits = searchProducts(ctx.market, p, ctx.noise, ctx.protocol);
  if (p.minReviewsRating) hits = hits.filter((h) => (h.rating ?? 0) >= (p.minReviewsRating ?? 0));
  const start = (p.itemPage - 1) * p.itemCount;
  const page = hits.slice(start, start + p.itemCount);
  const query = p.keywords ?? p.title ?? p.brand ?? p.browseNodeId ?? '';
  if (page.length === 0)
    throw notFound('SearchResult', query, 'No results found for your search request');
  const v = view(ctx, 'osi');
  const result: ResultBody = {
    totalResultCount: hits.length,
    searchURL: `https://${ctx.market.info.domain}/s?k=${encodeURIComponent(query)}&tag=${encodeURIComponent(ctx.partnerTag)}&linkCode=osi`,
    items: page.map((h) => render(h, v, p.resources)),
  };
  if (p.resources.includes('searchRefinements'))
    result.searchRefinements = {
      searchIndex: {
        id: 'SearchIndex',
        displayName: 'Department',
        bins: [...new Set(hits.map((h) => h.searchIndex ?? 'All'))].map((id) => ({
          id,
          displayName: id,
        })),
      },
    };
  return { searchResult: result };
}

function money(amount: number, ctx: OperationContext, currency?: string): ResultBody {
  const cur = currency ?? ctx.market.info.currency;
  return {
    amount,
    currency: cur,
    displayAmount: displayAmount(amount, cur, ctx.market.info.locale),
  };
}

function variationSummary(
  children: CatalogProduct[],
  pageCount: number,
  resources: string[],
  ctx: OperationContext,
) {
  const summary: ResultBody = { pageCount, variationCount: children.length };
  // PA-API's VariationSummary has Price; the Creators SDK model does not (emulator-only there).
  if (ctx.protocol === 'creators' && !ctx.extraFields)
    return withDimensions(summary, children, resources, ctx);
  const prices = children.filter((c) => c.price !== undefined);
  const price: ResultBody = {};
  if (prices.length && resources.includes('variationSummary.price.highestPrice')) {
    const top = prices.reduce((a, b) => ((b.price ?? 0) > (a.price ?? 0) ? b : a));
    price.highestPrice = money(top.price ?? 0, ctx, top.currency);
  }
  if (prices.length && resources.includes('variationSummary.price.lowestPrice')) {
    const low = prices.reduce((a, b) => ((b.price ?? 0) < (a.price ?? 0) ? b : a));
    price.lowestPrice = money(low.price ?? 0, ctx, low.currency);
  }
  if (Object.keys(price).length) summary.price = price;
  return withDimensions(summary, children, resources, ctx);
}

function withDimensions(
  summary: ResultBody,
  children: CatalogProduct[],
  resources: string[],
  ctx: OperationContext,
): ResultBody {
  if (resources.includes('variationSummary.variationDimension')) {
    const dims = new Map<string, Set<string>>();
    for (const c of children)
      for (const a of c.variationAttributes ?? [])
        dims.set(a.name, (dims.get(a.name) ?? new Set()).add(a.value));
    summary.variationDimensions = [...dims].map(([name, values]) => ({
      name,
      displayName: name,
      locale: ctx.market.info.locale,
      values: [...values],
    }));
  }
  return summary;
}

function getVariations(body: Body, ctx: OperationContext): ResultBody {
  const p = getVariationsParams(body, ctx.protocol);
  checkPartnerTag(body, ctx);
  const product = ctx.market.byAsin.get(p.asin);
  const parentAsin = product?.isParent ? product.asin : product?.parentAsin;
  const children = parentAsin ? (ctx.market.childrenOf.get(parentAsin) ?? []) : [];
  const pageCount = Math.ceil(children.length / p.variationCount);
  const start = (p.variationPage - 1) * p.variationCount;
  const page = children.slice(start, start + p.variationCount);
  if (page.length === 0)
    throw notFound('Item', p.asin, 'No variations found for the requested ASIN.');
  const v = view(ctx, 'ogv');
  const items = page.map((c) => ({
    ...render(c, v, p.resources),
    variationAttributes: c.variationAttributes ?? [],
  }));
  return {
    variationsResult: {
      items,
      variationSummary: variationSummary(children, pageCount, p.resources, ctx),
    },
  };
}

function getBrowseNodes(body: Body, ctx: OperationContext): ResultBody {
  const p = getBrowseNodesParams(body, ctx.protocol);
  checkPartnerTag(body, ctx);
  const nodes: ResultBody[] = [];
  const errors: { code: string; message: string }[] = [];
  for (const id of p.browseNodeIds) {
    const node = ctx.market.browseNodes.get(id);
    if (!node) {
      const message = `The BrowseNodeId ${id} provided in the request is invalid.`;
      errors.push({ code: 'InvalidParameterValue', message });
      continue;
    }
    const full = browseNode(id, ctx.market, node.salesRank, ctx.extraFields ?? false);
    if (!p.resources.includes('browseNodes.ancestor')) delete full.ancestor;
    if (p.resources.includes('browseNodes.children'))
      full.children = [...ctx.market.browseNodes.values()]
        .filter((n) => n.parentId === id)
        .map((n) => ({ id: n.id, displayName: n.name, contextFreeName: n.name }));
    nodes.push(full);
  }
  const out: ResultBody = {};
  if (errors.length) out.errors = errors;
  if (nodes.length) out.browseNodesResult = { browseNodes: nodes };
  return out;
}

const HANDLERS: Record<OperationName, (body: Body, ctx: OperationContext) => ResultBody> = {
  getItems,
  searchItems,
  getVariations,
  getBrowseNodes,
};

/** Runs one operation on a camelCase body; throws ApiError for error responses. */
export function runOperation(op: OperationName, body: Body, ctx: OperationContext): ResultBody {
  return HANDLERS[op](body, ctx);
}
