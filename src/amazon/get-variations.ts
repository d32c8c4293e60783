import { asinProblem, isValidAsin, normalizeAsin } from './asin.js';
import type { Caller } from './caller.js';
import { AmazonError } from './errors.js';
import { field, list, num, text } from './json.js';
import type { AmazonProduct } from './product.js';
import type { VariationDimension, VariationsOptions, VariationsResult } from './provider.js';
import { VARIATION_RESOURCES } from './resources.js';

/**
 * The variations (children) of a parent ASIN, 10 per page, up to `maxPages` pages.
 * A 404 (no variations, unknown ASIN) throws a `not_found` AmazonError.
 */
export async function getVariations(
  caller: Caller,
  rawAsin: string,
  opts: VariationsOptions = {},
): Promise<VariationsResult> {
  const asin = normalizeAsin(rawAsin);
  if (!isValidAsin(asin))
    throw new AmazonError('invalid_data', asinProblem(rawAsin), { reason: 'InvalidAsin' });
  const result: VariationsResult = {
    items: [],
    variationCount: null,
    pageCount: null,
    dimensions: [],
    requestIds: [],
  };
  const maxPages = Math.max(1, opts.maxPages ?? 1);
  for (let page = 1; page <= maxPages; page++) {
    const body: Record<string, unknown> = {
      partnerTag: caller.partnerTag,
      asin,
      variationCount: 10,
      resources: [...VARIATION_RESOURCES],
    };
    if (page > 1) body.variationPage = page;
    const res = await caller.run('getVariations', body, opts.signal);
    if (res.requestId) result.requestIds.push(res.requestId);
    const vr = field(res.body, 'variationsResult');
    result.items.push(
      ...list(field(vr, 'items'))
        .map((i) => caller.normalize(i))
        .filter((p): p is AmazonProduct => p !== null),
    );
    const summary = field(vr, 'variationSummary');
    result.pageCount = num(field(summary, 'pageCount')) ?? result.pageCount;
    result.variationCount = num(field(summary, 'variationCount')) ?? result.variationCount;
    if (page === 1) result.dimensions = dimensionsOf(summary);
    if (result.pageCount === null || page >= result.pageCount) break;
  }
  return result;
}

function dimensionsOf(summary: unknown): VariationDimension[] {
  return list(field(summary, 'variationDimensions')).map((d) => ({
    name: text(field(d, 'name')) ?? '',
    displayName: text(field(d, 'displayName')),
    values: list(field(d, 'values'))
      .map((v) => text(v))
      .filter((v): v is string => v !== null),
  }));
}
