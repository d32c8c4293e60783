import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECK_SEED, runLabelled, targetFigures } from './labelled-harness.js';

// The labelled catalog (ordinary and hard cases, supplier rows written from each case) of the
// seed held apart for checking: no weight was tuned on it. The targets are the pass
// condition. 600 products keep it to a few seconds; the benchmark runs larger catalogs.
const COUNT = 600;

describe('matching accuracy on the labelled check seed (issue 19 targets)', () => {
  const report = runLabelled(COUNT, CHECK_SEED);
  const t = targetFigures(report);

  it('covers every hard case class', () => {
    const classes = new Set(report.byClass.map((c) => c.name));
    for (const name of [
      'pack_unit_row_multipack_listing',
      'pack_multi_row_unit_listing',
      'pack_both_listed_unit_row',
      'pack_both_listed_multi_row',
      'renewed_and_new',
      'renewed_only',
      'dead_duplicates',
      'variant_sibling_no_ids',
      'item_without_ids',
      'exact_unique',
    ]) {
      assert.ok(classes.has(name), `class ${name} in the check catalog`);
    }
    assert.ok(report.overall.rows > 350, `${report.overall.rows} rows`);
  });

  it('exact ≥ 99.5 %, partial ≥ 97 %, no ASIN on a no-match row', () => {
    assert.ok(t.exactPrecision >= 0.995, `exact ${t.exactPrecision}`);
    assert.ok(t.partialPrecision >= 0.97, `partial ${t.partialPrecision}`);
    assert.equal(t.acceptedOnNoMatch, 0);
  });

  it('recall of accepted matches ≥ 95 %, 0.9–1.0 band ≥ 99 % right, review ≤ 12 %', () => {
    assert.ok(t.recall >= 0.95, `recall ${t.recall}`);
    assert.ok((report.bands[0]?.named ?? 0) > 0, 'decisions in the 0.9–1.0 band');
    assert.ok(t.topBand >= 0.99, `top band ${t.topBand}`);
    assert.ok(t.reviewShare <= 0.12, `review ${t.reviewShare}`);
  });

  it('the hard cases end where their description says', () => {
    const of = (name: string) => report.outcomes.filter((o) => o.truth.case === name);
    // No listing sells what the row sells: proposed for review, never accepted.
    for (const name of ['pack_unit_row_multipack_listing', 'pack_multi_row_unit_listing']) {
      for (const o of of(name)) {
        assert.equal(o.decision.asin, null, name);
        assert.equal(o.decision.verdict, 'to_review', name);
        assert.ok(
          o.decision.reasons.some((r) => r.startsWith('pack_mismatch: row ')),
          name,
        );
      }
    }
    for (const o of of('renewed_only')) {
      assert.equal(o.decision.asin, null);
      assert.ok(o.decision.reasons.includes('renewed_only'));
    }
    for (const o of of('variant_sibling_no_ids')) assert.equal(o.decision.asin, null);
  });
});
