import { normalizeItem } from '../../src/amazon/normalize.js';
import type { AmazonProduct } from '../../src/amazon/product.js';
import { SEARCH_RESOURCES } from '../../src/amazon/resources.js';
import { parseCode } from '../../src/codes/index.js';
import { indexCatalog } from '../../src/emulator/catalog-index.js';
import type { CatalogProduct, EmulatorCatalog, TruthEntry } from '../../src/emulator/index.js';
import { generateCatalog } from '../../src/emulator/index.js';
import { runOperation, type OperationContext } from '../../src/emulator/operations.js';
import { createRandom } from '../../src/emulator/random.js';
import { decideMatch, type MatchDecision, type RowContext } from '../../src/matching/index.js';
import { readListedId } from '../../src/matching/listed-id.js';

const MARKETPLACE = 'www.amazon.fr';
const BANDS = [
  { name: '0.9–1.0', min: 0.9, max: 1.01 },
  { name: '0.7–0.9', min: 0.7, max: 0.9 },
  { name: '0.5–0.7', min: 0.5, max: 0.7 },
  { name: '0–0.5', min: 0, max: 0.5 },
] as const;

/** One truth code, searched and decided. */
export interface Outcome {
  truth: TruthEntry;
  decision: MatchDecision;
  correct: boolean;
  /**
   * Whether the returned items hold evidence tying the true product to the code: the product was
   * returned and it lists the code (any equivalent form), or its title carries the code, or the
   * row has a title to compare with. Without any, the rule applies: an item with neither
   * an id match nor similarity is search noise and never a match.
   */
  evidence: boolean;
  /** What naive tools would pick from the same items: the first hit, the first item listing the code. */
  baselines: Record<Baseline, string | null>;
}

export type Baseline = 'first_hit' | 'first_listing';

/** Counts and shares of one group of decisions. */
export interface Tally {
  name: string;
  count: number;
  correct: number;
  share: number;
}

/** One strategy over every code: right answers (ASIN or none) and wrong ASINs accepted. */
export interface StrategyTally {
  name: string;
  correct: number;
  wrongAccepted: number;
  noiseAccepted: number;
}

/** What the harness measured over one generated catalog. */
export interface AccuracyReport {
  codes: number;
  /** Precision per match type: decisions of that type that chose the true ASIN. */
  byType: Tally[];
  /** Codes that have a product, and the share of them mapped to the true ASIN. */
  recall: Tally;
  /** The same over codes whose search results hold evidence for the true product (`Outcome.evidence`). */
  recallWithEvidence: Tally;
  /** ASINs accepted for codes whose truth is another ASIN or none. */
  wrongAccepted: number;
  /** ASINs accepted for codes that have no product (noise or nothing on Amazon). */
  noiseAccepted: number;
  /** Share correct per confidence band, over decisions that chose an ASIN. */
  bands: Tally[];
  /** Share correct per emulator case. */
  byCase: Tally[];
  /** decideMatch and the naive strategies on the same items: correct over all codes. */
  strategies: StrategyTally[];
  outcomes: Outcome[];
}

/**
 * Runs every truth code of `generateCatalog(count, seed)` through the emulator's own searchItems
 * (Creators API wire format, normalised by `src/amazon/normalize.ts`, page 2 read when page 1
 * gives no match, as the client does) and `decideMatch`. With `rowContext`, each row also
 * carries a supplier-style title and brand (a file with those columns).
 */
export function runAccuracy(count: number, seed: number, rowContext: boolean): AccuracyReport {
  return summarize(
    searchCatalog(generateCatalog(count, seed), seed, (truth, byAsin) =>
      rowContext ? rowFor(truth, byAsin) : {},
    ),
  );
}

/**
 * Searches every truth code of a catalog with the emulator's own searchItems and decides it,
 * with the row context `rowOf` gives.
 */
export function searchCatalog(
  catalog: EmulatorCatalog,
  seed: number,
  rowOf: (truth: TruthEntry, byAsin: Map<string, CatalogProduct>) => RowContext,
): Outcome[] {
  const market = indexCatalog(catalog).get(MARKETPLACE);
  const credential = catalog.credentials.find((c) => c.kind === 'creators');
  if (!market || !credential)
    throw new Error('generated catalog lacks www.amazon.fr or a credential');
  const ctx: OperationContext = {
    market,
    partnerTag: credential.partnerTag,
    protocol: 'creators',
    rng: createRandom(seed),
    noise: catalog.noise?.unrelatedPerCodeSearch ?? 0,
  };
  const byAsin = new Map(market.products.map((p) => [p.asin, p]));
  const outcomes: Outcome[] = [];
  for (const truth of catalog.truth ?? []) {
    const row = rowOf(truth, byAsin);
    const searched = searchAndDecide(truth.code, row, ctx);
    if (!searched) continue;
    const { decision, baselines, items } = searched;
    const evidence = hasEvidence(truth, items, row);
    outcomes.push({ truth, decision, correct: decision.asin === truth.asin, evidence, baselines });
  }
  return outcomes;
}

function searchAndDecide(raw: string, row: RowContext, ctx: OperationContext) {
  const code = parseCode(raw);
  if (!code.valid) return null;
  const items: AmazonProduct[] = [];
  let decision = decideMatch({ code, items, row, marketplace: MARKETPLACE });
  for (let page = 1; page <= 2; page++) {
    const result = searchPage(code.code, page, ctx);
    items.push(...result.items);
    decision = decideMatch({ code, items, row, marketplace: MARKETPLACE });
    // As the client: read page 2 only while no item lists the code (fuzzy is no reason to stop).
    if (byId(decision) || result.total <= page * 10) break;
  }
  const listing = items.find((item) => listsGtin(item, code.gtin14));
  const baselines = { first_hit: items[0]?.asin ?? null, first_listing: listing?.asin ?? null };
  return { decision, baselines, items };
}

export function hasEvidence(
  truth: TruthEntry,
  items: readonly AmazonProduct[],
  row: RowContext,
): boolean {
  const code = parseCode(truth.code);
  const item = items.find((i) => i.asin === truth.asin);
  if (!item || !code.valid) return false;
  const digits = [code.code, ...code.alternatives.map((a) => a.code)];
  return (
    listsGtin(item, code.gtin14) ||
    code.alternatives.some((a) => listsGtin(item, a.gtin14)) ||
    digits.some((d) => (item.title ?? '').includes(d)) ||
    Boolean(row.title)
  );
}

export function listsGtin(item: AmazonProduct, gtin14: string): boolean {
  const { eans, upcs, isbns } = item.external_ids;
  const lists = [
    ['eans', eans],
    ['upcs', upcs],
    ['isbns', isbns],
  ] as const;
  return lists.some(([name, ids]) =>
    ids.some((id) => readListedId(id, name).some((r) => r.gtin14 === gtin14)),
  );
}

function byId(decision: MatchDecision): boolean {
  return ['exact', 'partial', 'manual'].includes(decision.match_type);
}

function searchPage(keywords: string, page: number, ctx: OperationContext) {
  const body = {
    partnerTag: ctx.partnerTag,
    keywords,
    searchIndex: 'All',
    itemCount: 10,
    itemPage: page,
    availability: 'IncludeOutOfStock',
    resources: [...SEARCH_RESOURCES],
  };
  try {
    const result = runOperation('searchItems', body, ctx).searchResult as {
      items: unknown[];
      totalResultCount: number;
    };
    const items = result.items
      .map((item) => normalizeItem(item, { marketplace: MARKETPLACE, source: 'creators' }))
      .filter((item): item is AmazonProduct => item !== null);
    return { items, total: result.totalResultCount };
  } catch {
    return { items: [], total: 0 }; // 404 ResourceNotFoundException: no results
  }
}

/**
 * A supplier's own title and brand for the row: the product's title without what Amazon
 * sellers add (" - EAN …", " - compatible") and without its last word (unless that word is part
 * of a size or pack), lower case; for a code
 * with no product, a product Amazon does not list.
 */
export function rowFor(truth: TruthEntry, byAsin: Map<string, CatalogProduct>): RowContext {
  const p = truth.asin ? byAsin.get(truth.asin) : undefined;
  if (!p) return { title: 'Coffret cadeau artisanal édition limitée', brand: 'Maison Locale' };
  const words = p.title.replace(/ - (EAN \d+|compatible)$/i, '').split(' ');
  // A supplier shortens the title but keeps what it sells: a size or pack ("24 cm", "lot de 6")
  // stays whole, only a trailing word without figures goes.
  const last = words.at(-1) ?? '';
  const previous = words.at(-2) ?? '';
  const droppable = words.length > 3 && !/\d/.test(last) && !/\d/.test(previous);
  const title = (droppable ? words.slice(0, -1) : words).join(' ').toLowerCase();
  return { title, brand: p.brand ?? null };
}

function tally(name: string, outcomes: readonly Outcome[]): Tally {
  const correct = outcomes.filter((o) => o.correct).length;
  return {
    name,
    count: outcomes.length,
    correct,
    share: outcomes.length ? correct / outcomes.length : 1,
  };
}

/** Tallies outcomes (of one or several runs) into a report. */
export function summarize(outcomes: Outcome[]): AccuracyReport {
  const accepted = outcomes.filter((o) => o.decision.asin !== null);
  const types = ['exact', 'partial', 'fuzzy', 'manual', 'none'] as const;
  const cases = [...new Set(outcomes.map((o) => o.truth.case))].sort();
  return {
    codes: outcomes.length,
    byType: types.map((t) =>
      tally(
        t,
        outcomes.filter((o) => o.decision.match_type === t),
      ),
    ),
    recall: tally(
      'recall',
      outcomes.filter((o) => o.truth.asin !== null),
    ),
    recallWithEvidence: tally(
      'recall with evidence',
      outcomes.filter((o) => o.truth.asin !== null && o.evidence),
    ),
    wrongAccepted: accepted.filter((o) => !o.correct).length,
    noiseAccepted: accepted.filter((o) => o.truth.asin === null).length,
    bands: BANDS.map((b) =>
      tally(
        b.name,
        accepted.filter((o) => o.decision.confidence >= b.min && o.decision.confidence < b.max),
      ),
    ),
    byCase: cases.map((c) =>
      tally(
        c,
        outcomes.filter((o) => o.truth.case === c),
      ),
    ),
    strategies: [
      strategy('decideMatch', outcomes, (o) => o.decision.asin),
      strategy('first item listing the code', outcomes, (o) => o.baselines.first_listing),
      strategy('first hit', outcomes, (o) => o.baselines.first_hit),
    ],
    outcomes,
  };
}

function strategy(
  name: string,
  outcomes: readonly Outcome[],
  pick: (o: Outcome) => string | null,
): StrategyTally {
  let correct = 0;
  let wrongAccepted = 0;
  let noiseAccepted = 0;
  for (const o of outcomes) {
    const asin = pick(o);
    if (asin === o.truth.asin) correct++;
    else if (asin !== null) wrongAccepted++;
    if (asin !== null && o.truth.asin === null) noiseAccepted++;
  }
  return { name, correct, wrongAccepted, noiseAccepted };
}

/** The report as Markdown tables (used by the benchmark and docs/benchmarks/matching.md). */
export function formatReport(title: string, r: AccuracyReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = (list: Tally[]) =>
    list.map((t) => `| ${t.name} | ${t.count} | ${t.correct} | ${t.count ? pct(t.share) : '—'} |`);
  return [
    `### ${title}`,
    '',
    `${r.codes} codes; recall ${pct(r.recall.share)} (${r.recall.correct}/${r.recall.count} codes that have a product), ${pct(r.recallWithEvidence.share)} (${r.recallWithEvidence.correct}/${r.recallWithEvidence.count}) of those whose search results hold evidence for the product; ` +
      `${r.wrongAccepted} wrong ASINs accepted, ${r.noiseAccepted} of them for codes without a product.`,
    '',
    '| strategy (same search results) | right answer | wrong ASIN accepted | ASIN for a code with no product |',
    '|---|---|---|---|',
    ...r.strategies.map(
      (st) =>
        `| ${st.name} | ${pct(st.correct / Math.max(1, r.codes))} | ${st.wrongAccepted} | ${st.noiseAccepted} |`,
    ),
    '',
    '| match type | decisions | correct | precision |',
    '|---|---|---|---|',
    ...rows(r.byType),
    '',
    '| confidence band | decisions with an ASIN | correct | share correct |',
    '|---|---|---|---|',
    ...rows(r.bands),
    '',
    '| emulator case | codes | correct | share |',
    '|---|---|---|---|',
    ...rows(r.byCase),
    '',
  ].join('\n');
}
