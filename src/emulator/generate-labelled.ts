import type { CatalogProduct, EmulatorCatalog, TruthEntry } from './catalog.js';
import { generateCatalogWith } from './generate-catalog.js';
import type { CaseBuilder, GenContext } from './generate-cases.js';
import { CASES } from './generate-cases.js';
import {
  PACK_PHRASINGS,
  PRODUCT_LINES,
  RENEWED_MARKS,
  type ProductLine,
} from './generate-families.js';

/**
 * The labelled catalog of the matching accuracy harness: the generator's ordinary cases plus the
 * hard ones real catalogues hold (packs each way and both listed, renewed copies, dead
 * duplicates, variant siblings without ids, items without ids). Every truth row carries the
 * supplier's own title, brand and (sometimes) quantity, and its right answer is written from the
 * case's description — what a catalogue manager would say — never from the matcher's output.
 */
export function generateLabelledCatalog(count: number, seed: number): EmulatorCatalog {
  return generateCatalogWith([...CASES, ...HARD_CASES], count, seed);
}

const PACKS = [4, 6, 8, 10, 12, 24];

interface Variant {
  line: ProductLine;
  value: string;
  /** The unit's title as Amazon shows it. */
  title: string;
}

function variant(ctx: GenContext, line = ctx.rng.pick(PRODUCT_LINES), except?: string): Variant {
  const values = line.variants.filter((v) => v !== except);
  const value = ctx.rng.pick(values);
  const name = line.name.replace('{v}', value);
  return { line, value, title: [line.brand, name, line.measure].filter(Boolean).join(' ') };
}

function listing(ctx: GenContext, v: Variant, title: string, eans: string[]): CatalogProduct {
  const p: CatalogProduct = {
    asin: ctx.codes.asin(),
    title,
    brand: v.line.brand,
    manufacturer: v.line.brand,
    eans,
    price: Math.round((2 + ctx.rng.next() * 30) * 100) / 100,
    currency: 'EUR',
    availability: 'IN_STOCK',
    salesRank: ctx.rng.int(100, 300_000),
    reviewCount: ctx.rng.int(0, 3000),
    category: 'Épicerie',
  };
  ctx.products.push(p);
  return p;
}

function multipackTitle(ctx: GenContext, v: Variant, n: number): string {
  const phrase = ctx.rng.pick(PACK_PHRASINGS[v.line.language])(n, v.line.measure);
  const base = phrase.startsWith(`${n} x`) ? v.title.replace(` ${v.line.measure}`, '') : v.title;
  return `${base} ${phrase}`.replace(' ,', ',');
}

/** The supplier's title for a unit: shouted, shortened or as is; sometimes a quantity of 1. */
function unitRow(ctx: GenContext, v: Variant): NonNullable<TruthEntry['row']> {
  const title = ctx.rng.chance(0.3) ? v.title.toUpperCase() : v.title;
  return { title, brand: v.line.brand, ...(ctx.rng.chance(0.5) ? { quantity: 1 } : {}) };
}

/** The supplier's row for a pack of `n`: a quantity column, or a pack phrase in its title. */
function packRow(ctx: GenContext, v: Variant, n: number): NonNullable<TruthEntry['row']> {
  if (ctx.rng.chance(0.4)) return { title: v.title, brand: v.line.brand, quantity: n };
  const phrase = ctx.rng.pick([
    `Lot de ${n}`,
    `x${n}`,
    `Pack of ${n}`,
    `${n}er Pack`,
    `paquete de ${n}`,
  ]);
  return { title: `${v.title} ${phrase}`, brand: v.line.brand };
}

function truth(
  ctx: GenContext,
  code: string,
  asin: string | null,
  kind: string,
  row: TruthEntry['row'],
): void {
  ctx.truth.push({ code, asin, case: kind, marketplace: 'www.amazon.fr', row });
}

/** A unit row whose code only a multipack listing carries: no listing sells what the row sells. */
function unitRowOnMultipack(ctx: GenContext): void {
  const v = variant(ctx);
  const ean = ctx.codes.ean13();
  const n = ctx.rng.pick(PACKS);
  const pack = listing(ctx, v, multipackTitle(ctx, v, n), [ean]);
  if (ctx.rng.chance(0.25)) Object.assign(pack, { title: v.title, unitCount: n });
  truth(ctx, ean, null, 'pack_unit_row_multipack_listing', unitRow(ctx, v));
}

/** A row selling a pack under the unit's code, only the unit listed: no listing sells the pack. */
function packRowOnUnit(ctx: GenContext): void {
  const v = variant(ctx);
  const ean = ctx.codes.ean13();
  listing(ctx, v, v.title, [ean]);
  truth(ctx, ean, null, 'pack_multi_row_unit_listing', packRow(ctx, v, ctx.rng.pick(PACKS)));
}

/** Unit and multipack listings both carry the code: the one selling what the row sells is right. */
function bothListed(rowSellsPack: boolean) {
  return (ctx: GenContext): void => {
    const v = variant(ctx);
    const ean = ctx.codes.ean13();
    const n = ctx.rng.pick(PACKS);
    const unit = listing(ctx, v, v.title, [ean]);
    const pack = listing(ctx, v, multipackTitle(ctx, v, n), [ean]);
    // Either may come first in the catalog (and so in the search) and either may sell better.
    if (ctx.rng.chance(0.5)) ctx.products.splice(-2, 2, pack, unit);
    if (ctx.rng.chance(0.5)) [pack.salesRank, unit.salesRank] = [unit.salesRank, pack.salesRank];
    const right = rowSellsPack ? pack : unit;
    const row = rowSellsPack ? packRow(ctx, v, n) : unitRow(ctx, v);
    truth(
      ctx,
      ean,
      right.asin,
      rowSellsPack ? 'pack_both_listed_multi_row' : 'pack_both_listed_unit_row',
      row,
    );
  };
}

/** A new listing and a renewed copy share the code: the new one is right. */
function renewedCopy(ctx: GenContext, withNew: boolean): void {
  const v = variant(ctx);
  const ean = ctx.codes.ean13();
  const fresh = withNew ? listing(ctx, v, v.title, [ean]) : null;
  const mark = ctx.rng.pick(RENEWED_MARKS[v.line.language]);
  const renewed = listing(ctx, v, mark(v.title), [ean]);
  if (renewed.title === v.title || ctx.rng.chance(0.3)) renewed.condition = 'Refurbished';
  renewed.price = Math.round((renewed.price ?? 10) * 0.7 * 100) / 100;
  if (ctx.rng.chance(0.5)) renewed.salesRank = ctx.rng.int(10, 99);
  truth(
    ctx,
    ean,
    fresh?.asin ?? null,
    withNew ? 'renewed_and_new' : 'renewed_only',
    unitRow(ctx, v),
  );
}

/** One live listing and one or two dead duplicates (no offer, out of stock, unavailable). */
function deadDuplicates(ctx: GenContext): void {
  const v = variant(ctx);
  const ean = ctx.codes.ean13();
  const live = listing(ctx, v, v.title, [ean]);
  for (let i = ctx.rng.int(1, 2); i > 0; i--) {
    const dead = listing(ctx, v, ctx.rng.chance(0.5) ? v.title : `${v.line.brand} - ${v.title}`, [
      ean,
    ]);
    dead.salesRank = ctx.rng.int(10, 5000);
    const how = ctx.rng.int(0, 2);
    if (how === 0) delete dead.price;
    else dead.availability = how === 1 ? 'OUT_OF_STOCK' : 'UNAVAILABLE';
  }
  truth(ctx, ean, live.asin, 'dead_duplicates', unitRow(ctx, v));
}

/** The code is not on Amazon; a sibling in another flavour or colour, without ids, is found. */
function variantSibling(ctx: GenContext): void {
  const own = variant(ctx);
  const sibling = variant(ctx, own.line, own.value);
  const ean = ctx.codes.ean13();
  const p = listing(ctx, sibling, sibling.title, []);
  p.searchTerms = [ean];
  truth(ctx, ean, null, 'variant_sibling_no_ids', unitRow(ctx, own));
}

/** The item lists no id; the search finds it by the code; the row's title names it. */
function itemWithoutIds(ctx: GenContext): void {
  const v = variant(ctx);
  const ean = ctx.codes.ean13();
  const p = listing(ctx, v, v.title, []);
  p.searchTerms = [ean];
  truth(ctx, ean, p.asin, 'item_without_ids', unitRow(ctx, v));
}

/** An ordinary unit of a product line (variant words on both sides, equal). */
function lineUnit(ctx: GenContext): void {
  const v = variant(ctx);
  const ean = ctx.codes.ean13();
  const p = listing(ctx, v, v.title, [ean]);
  truth(ctx, ean, p.asin, 'line_unit', unitRow(ctx, v));
}

/** The hard cases with their weights (the ordinary cases weigh 91 in all). */
export const HARD_CASES: CaseBuilder[] = [
  { name: 'pack_unit_row_multipack_listing', weight: 4, size: 1, build: unitRowOnMultipack },
  { name: 'pack_multi_row_unit_listing', weight: 3, size: 1, build: packRowOnUnit },
  { name: 'pack_both_listed_unit_row', weight: 4, size: 2, build: bothListed(false) },
  { name: 'pack_both_listed_multi_row', weight: 3, size: 2, build: bothListed(true) },
  { name: 'renewed_and_new', weight: 4, size: 2, build: (ctx) => renewedCopy(ctx, true) },
  { name: 'renewed_only', weight: 2, size: 1, build: (ctx) => renewedCopy(ctx, false) },
  { name: 'dead_duplicates', weight: 4, size: 3, build: deadDuplicates },
  { name: 'variant_sibling_no_ids', weight: 4, size: 1, build: variantSibling },
  { name: 'item_without_ids', weight: 5, size: 1, build: itemWithoutIds },
  { name: 'line_unit', weight: 6, size: 1, build: lineUnit },
];
