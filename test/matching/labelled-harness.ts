import { generateLabelledCatalog } from '../../src/emulator/generate-labelled.js';
import type { RowContext } from '../../src/matching/index.js';
import { rowFor, searchCatalog, type Outcome } from './accuracy-harness.js';

/** The seed the confidences were set and checked against while building them. */
export const FITTING_SEED = 11;
/** The seed held apart: only ever used to check the targets, never to tune a weight. */
export const CHECK_SEED = 29;

/** One group of rows: how many, how many right (accepted ASIN = truth), how many sent to review. */
export interface ClassTally {
  name: string;
  rows: number;
  /** Rows whose right answer is an ASIN. */
  withAnswer: number;
  /** Decisions that accepted an ASIN, and those whose ASIN is the right one. */
  accepted: number;
  acceptedCorrect: number;
  toReview: number;
  /** Rows whose right answer is "no match" and that got an ASIN anyway. */
  acceptedOnNoMatch: number;
}

/** Share of right answers among decisions naming an ASIN (accepted or proposed) in a band. */
export interface BandTally {
  band: string;
  named: number;
  correct: number;
}

export interface LabelledReport {
  seed: number;
  overall: ClassTally;
  byClass: ClassTally[];
  /** Accepted `exact` / `partial` / `fuzzy` decisions and the share that are right. */
  precision: Record<'exact' | 'partial' | 'fuzzy', { accepted: number; correct: number }>;
  bands: BandTally[];
  /** Precision of the ASINs accepted at the default threshold. */
  outcomes: Outcome[];
}

const BANDS: [string, number, number][] = [
  ['0.9–1.0', 0.9, 1.01],
  ['0.8–0.9', 0.8, 0.9],
  ['0.7–0.8', 0.7, 0.8],
  ['0.5–0.7', 0.5, 0.7],
  ['0–0.5', 0, 0.5],
];

/**
 * Runs the labelled catalog of `seed` (the ordinary cases with a supplier title derived from the
 * product, the hard cases with the row their generator wrote) through search and decision.
 */
export function runLabelled(count: number, seed: number): LabelledReport {
  const catalog = generateLabelledCatalog(count, seed);
  const outcomes = searchCatalog(catalog, seed, (truth, byAsin): RowContext =>
    truth.row ? { ...truth.row } : rowFor(truth, byAsin),
  );
  const classes = [...new Set(outcomes.map((o) => o.truth.case))].sort();
  return {
    seed,
    overall: tallyClass('all', outcomes),
    byClass: classes.map((c) =>
      tallyClass(
        c,
        outcomes.filter((o) => o.truth.case === c),
      ),
    ),
    precision: {
      exact: precisionOf(outcomes, 'exact'),
      partial: precisionOf(outcomes, 'partial'),
      fuzzy: precisionOf(outcomes, 'fuzzy'),
    },
    bands: BANDS.map(([band, min, max]) => {
      const named = outcomes.filter((o) => {
        const asin = o.decision.asin ?? o.decision.proposed_asin;
        return asin !== null && o.decision.confidence >= min && o.decision.confidence < max;
      });
      const correct = named.filter(
        (o) => (o.decision.asin ?? o.decision.proposed_asin) === o.truth.asin,
      ).length;
      return { band, named: named.length, correct };
    }),
    outcomes,
  };
}

function tallyClass(name: string, outcomes: readonly Outcome[]): ClassTally {
  const accepted = outcomes.filter((o) => o.decision.asin !== null);
  return {
    name,
    rows: outcomes.length,
    withAnswer: outcomes.filter((o) => o.truth.asin !== null).length,
    accepted: accepted.length,
    acceptedCorrect: accepted.filter((o) => o.decision.asin === o.truth.asin).length,
    toReview: outcomes.filter((o) => o.decision.verdict === 'to_review').length,
    acceptedOnNoMatch: accepted.filter((o) => o.truth.asin === null).length,
  };
}

function precisionOf(outcomes: readonly Outcome[], type: string) {
  const accepted = outcomes.filter(
    (o) => o.decision.asin !== null && o.decision.match_type === type,
  );
  return {
    accepted: accepted.length,
    correct: accepted.filter((o) => o.decision.asin === o.truth.asin).length,
  };
}

/** The targets, as figures (1 when there is nothing to measure). */
export function targetFigures(r: LabelledReport) {
  const share = (a: number, b: number) => (b === 0 ? 1 : a / b);
  const top = r.bands[0] as BandTally;
  const recallRows = r.outcomes.filter((o) => o.truth.asin !== null);
  return {
    exactPrecision: share(r.precision.exact.correct, r.precision.exact.accepted),
    partialPrecision: share(r.precision.partial.correct, r.precision.partial.accepted),
    acceptedOnNoMatch: r.overall.acceptedOnNoMatch,
    recall: share(
      recallRows.filter((o) => o.decision.asin === o.truth.asin).length,
      recallRows.length,
    ),
    topBand: share(top.correct, top.named),
    reviewShare: share(r.overall.toReview, r.overall.rows),
  };
}

/** The report as Markdown tables (docs/benchmarks/matching.md). */
export function formatLabelled(title: string, r: LabelledReport): string {
  const pct = (a: number, b: number) => (b === 0 ? '—' : `${((a / b) * 100).toFixed(1)}%`);
  const t = targetFigures(r);
  const p = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `### ${title} (seed ${r.seed}, ${r.overall.rows} rows)`,
    '',
    '| target | measured |',
    '|---|---|',
    `| exact precision ≥ 99.5 % | ${p(t.exactPrecision)} (${r.precision.exact.correct}/${r.precision.exact.accepted}) |`,
    `| partial precision ≥ 97 % | ${p(t.partialPrecision)} (${r.precision.partial.correct}/${r.precision.partial.accepted}) |`,
    `| fuzzy precision (accepted) | ${pct(r.precision.fuzzy.correct, r.precision.fuzzy.accepted)} (${r.precision.fuzzy.correct}/${r.precision.fuzzy.accepted}) |`,
    `| accepted ASIN on a "no match" row = 0 | ${t.acceptedOnNoMatch} |`,
    `| recall of accepted matches ≥ 95 % | ${p(t.recall)} |`,
    `| 0.9–1.0 band ≥ 99 % correct | ${p(t.topBand)} |`,
    `| rows sent to review ≤ 12 % | ${p(t.reviewShare)} (${r.overall.toReview}) |`,
    '',
    '| case class | rows | right answer is an ASIN | accepted | accepted and right | to review | ASIN on a no-match row |',
    '|---|---|---|---|---|---|---|',
    ...[...r.byClass, r.overall].map(
      (c) =>
        `| ${c.name} | ${c.rows} | ${c.withAnswer} | ${c.accepted} | ${c.acceptedCorrect} | ${c.toReview} | ${c.acceptedOnNoMatch} |`,
    ),
    '',
    '| confidence band | decisions naming an ASIN (accepted or proposed) | right | share right |',
    '|---|---|---|---|',
    ...r.bands.map((b) => `| ${b.band} | ${b.named} | ${b.correct} | ${pct(b.correct, b.named)} |`),
    '',
  ].join('\n');
}
