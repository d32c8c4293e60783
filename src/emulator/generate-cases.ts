import type { CatalogProduct, TruthEntry } from './catalog.js';
import { isbn10To13 } from './gtin.js';
import type { Category, CodeFactory } from './generate-products.js';
import { BOOKS, CATEGORIES, makeProduct } from './generate-products.js';
import type { Random } from './random.js';

/** Shared state of one generation run. */
export interface GenContext {
  rng: Random;
  codes: CodeFactory;
  products: CatalogProduct[];
  truth: TruthEntry[];
}

/** One ambiguity case: how many products it adds at most, and how to build it. */
export interface CaseBuilder {
  name: string;
  weight: number;
  size: number;
  build(ctx: GenContext): void;
}

function product(ctx: GenContext, cat?: Category): CatalogProduct {
  const p = makeProduct(ctx.rng, ctx.codes, cat ?? ctx.rng.pick(CATEGORIES));
  ctx.products.push(p);
  return p;
}

function truth(ctx: GenContext, code: string, asin: string | null, kind: string): void {
  ctx.truth.push({ code, asin, case: kind, marketplace: 'www.amazon.fr' });
}

/** Unrelated products whose hidden search terms carry a code (keyword stuffing). */
function noiseFor(ctx: GenContext, code: string, n: number, withIds: boolean): CatalogProduct[] {
  const out: CatalogProduct[] = [];
  for (let i = 0; i < n; i++) {
    const p = product(ctx);
    p.title = `${p.title} - compatible`;
    p.searchTerms = [code];
    if (withIds && ctx.rng.chance(0.6)) p.eans = [ctx.codes.ean13()];
    out.push(p);
  }
  return out;
}

function exactUnique(ctx: GenContext): void {
  const p = product(ctx);
  p.eans = [ctx.codes.ean13()];
  if (ctx.rng.chance(0.03)) p.accessible = false;
  truth(ctx, p.eans[0] as string, p.asin, 'exact_unique');
}

function upcListing(ctx: GenContext): void {
  const p = product(ctx);
  const upc = ctx.codes.upcA();
  p.upcs = [upc];
  truth(ctx, `0${upc}`, p.asin, 'upc_listing');
}

function book(ctx: GenContext): [CatalogProduct, string, string] {
  const isbn10 = ctx.codes.isbn10();
  const p = makeProduct(ctx.rng, ctx.codes, BOOKS, isbn10);
  ctx.products.push(p);
  return [p, isbn10, isbn10To13(isbn10)];
}

function isbn13Listing(ctx: GenContext): void {
  const [p, isbn10, isbn13] = book(ctx);
  p.eans = [isbn13];
  p.isbns = [isbn10];
  truth(ctx, ctx.rng.chance(0.3) ? isbn10 : isbn13, p.asin, 'isbn13_listing');
}

function isbn10Listing(ctx: GenContext): void {
  const [p, isbn10, isbn13] = book(ctx);
  p.isbns = [isbn10];
  truth(ctx, isbn13, p.asin, 'isbn10_listing');
}

function duplicates(ctx: GenContext): void {
  const ean = ctx.codes.ean13();
  const cat = ctx.rng.pick(CATEGORIES);
  const best = product(ctx, cat);
  Object.assign(best, { eans: [ean], availability: 'IN_STOCK', salesRank: ctx.rng.int(100, 5000) });
  best.reviewCount = ctx.rng.int(500, 5000);
  for (let i = ctx.rng.int(1, 2); i > 0; i--) {
    const dup = product(ctx, cat);
    Object.assign(dup, { eans: [ean], title: `${best.title} (lot)`, brand: best.brand });
    Object.assign(dup, {
      salesRank: ctx.rng.int(50_000, 900_000),
      reviewCount: ctx.rng.int(0, 20),
    });
    if (ctx.rng.chance(0.5)) dup.availability = 'OUT_OF_STOCK';
    else delete dup.price;
  }
  truth(ctx, ean, best.asin, 'duplicate_listings');
}

function parentChild(ctx: GenContext): void {
  const cat = ctx.rng.pick(CATEGORIES);
  const parent = product(ctx, cat);
  const shared = ctx.codes.ean13();
  Object.assign(parent, {
    isParent: true,
    eans: [shared],
    title: parent.title.replace(/ [^ ]+$/, ''),
  });
  delete parent.price;
  delete parent.availability;
  const colours = ['Rouge', 'Bleu', 'Noir', 'Blanc'];
  const n = ctx.rng.int(2, 3);
  for (let i = 0; i < n; i++) {
    const child = product(ctx, cat);
    Object.assign(child, {
      parentAsin: parent.asin,
      brand: parent.brand,
      title: `${parent.title} - ${colours[i]}`,
    });
    child.variationAttributes = [{ name: 'color_name', value: colours[i] as string }];
    child.eans = [i === 0 ? shared : ctx.codes.ean13()];
    if (i === 0) truth(ctx, shared, child.asin, 'parent_child');
    else truth(ctx, child.eans[0] as string, child.asin, 'variation_child');
  }
}

function titleOnly(ctx: GenContext): void {
  const p = product(ctx);
  const ean = ctx.codes.ean13();
  p.title = `${p.title} - EAN ${ean}`;
  if (ctx.rng.chance(0.5)) p.eans = [ctx.codes.ean13()];
  truth(ctx, ean, p.asin, 'title_only');
}

function noisySearch(ctx: GenContext): void {
  const p = product(ctx);
  const ean = ctx.codes.ean13();
  p.eans = [ean];
  noiseFor(ctx, ean, ctx.rng.int(2, 3), true);
  truth(ctx, ean, p.asin, 'noisy_search');
}

function noExternalIds(ctx: GenContext): void {
  const p = product(ctx);
  const ean = ctx.codes.ean13();
  p.searchTerms = [ean];
  truth(ctx, ean, p.asin, 'no_external_ids');
}

function noiseOnly(ctx: GenContext): void {
  const ean = ctx.codes.ean13();
  noiseFor(ctx, ean, ctx.rng.int(1, 2), true);
  truth(ctx, ean, null, 'noise_only');
}

function notFound(ctx: GenContext): void {
  truth(ctx, ctx.codes.ean13(), null, 'not_found');
}

function manyHits(ctx: GenContext): void {
  const p = product(ctx);
  const ean = ctx.codes.ean13();
  Object.assign(p, { eans: [ean], salesRank: ctx.rng.int(400_000, 900_000) });
  for (const n of noiseFor(ctx, ean, ctx.rng.int(11, 13), false))
    n.salesRank = ctx.rng.int(10, 9000);
  truth(ctx, ean, p.asin, 'many_hits');
}

/** Every case with its weight (share of truth rows) and its largest product count. */
export const CASES: CaseBuilder[] = [
  { name: 'exact_unique', weight: 40, size: 1, build: exactUnique },
  { name: 'upc_listing', weight: 7, size: 1, build: upcListing },
  { name: 'isbn13_listing', weight: 5, size: 1, build: isbn13Listing },
  { name: 'isbn10_listing', weight: 4, size: 1, build: isbn10Listing },
  { name: 'duplicate_listings', weight: 6, size: 3, build: duplicates },
  { name: 'parent_child', weight: 4, size: 4, build: parentChild },
  { name: 'title_only', weight: 3, size: 1, build: titleOnly },
  { name: 'noisy_search', weight: 7, size: 4, build: noisySearch },
  { name: 'no_external_ids', weight: 3, size: 1, build: noExternalIds },
  { name: 'noise_only', weight: 3, size: 2, build: noiseOnly },
  { name: 'not_found', weight: 8, size: 0, build: notFound },
  { name: 'many_hits', weight: 1, size: 14, build: manyHits },
];
