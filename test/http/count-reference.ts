import assert from 'node:assert/strict';
import type { Selectable } from 'kysely';
import type { ResultsTable } from '../../src/db/schema.js';

/** `n` distinct valid EAN-13 codes. */
export function eans(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const body = `401${String(i).padStart(9, '0')}`;
    const sum = [...body].reduce((s, d, k) => s + Number(d) * (k % 2 ? 3 : 1), 0);
    return `${body}${(10 - (sum % 10)) % 10}`;
  });
}

/** The queue's rule and the tiles, computed here from every unit's stored row. */
export function reference(rows: Selectable<ResultsTable>[]) {
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as never;
  const needsReview = (r: Selectable<ResultsTable>) => {
    const confidence = r.confidence === null ? null : Number(r.confidence);
    const candidates = (parse(r.candidates) ?? []) as unknown[];
    return (
      r.match_type !== 'manual' &&
      (r.status === 'to_review' ||
        (r.status === 'found' &&
          (r.match_type === 'fuzzy' ||
            r.match_type === 'partial' ||
            (confidence !== null && confidence < 0.7))) ||
        (r.status === 'not_found' && candidates.length > 0))
    );
  };
  const review = rows.filter(needsReview);
  const withAsin = rows.filter((r) => r.asin !== null);
  const products = withAsin.map((r) => parse(r.product) as Record<string, unknown> | null);
  const notReview = (r: Selectable<ResultsTable>, type: string) =>
    r.match_type === type && r.status !== 'to_review';
  const confidences = withAsin
    .filter((r) => r.confidence !== null)
    .map((r) => Number(r.confidence));
  return {
    review: review.length,
    reviewByType: Object.fromEntries(
      ['exact', 'partial', 'fuzzy', 'none'].map((t) => [
        t,
        review.filter((r) => r.match_type === t).length,
      ]),
    ),
    reviewByStatus: Object.fromEntries(
      ['found', 'to_review', 'not_found'].map((s) => [
        s,
        review.filter((r) => r.status === s).length,
      ]),
    ),
    statistics: {
      total_codes: rows.length,
      with_asin: withAsin.length,
      with_images: products.filter((p) => Array.isArray(p?.images) && p.images.length > 0).length,
      with_price: products.filter((p) => p?.price !== undefined && p?.price !== null).length,
      exact_matches: rows.filter((r) => notReview(r, 'exact')).length,
      partial_matches: rows.filter((r) => notReview(r, 'partial')).length,
      fuzzy_matches: rows.filter((r) => notReview(r, 'fuzzy')).length,
      manual_matches: rows.filter((r) => notReview(r, 'manual')).length,
      to_review: rows.filter((r) => r.status === 'to_review').length,
      not_found: rows.filter((r) => r.status === 'not_found').length,
      errors: rows.filter((r) => r.status === 'error').length,
      pending: rows.filter((r) => r.status === 'pending' || r.status === 'claimed').length,
      average_confidence:
        confidences.length === 0
          ? null
          : Math.round((confidences.reduce((a, c) => a + c, 0) / confidences.length) * 1000) / 1000,
    },
  };
}

export interface Chart {
  from: string;
  bucket_seconds: number;
  points: { at: string; found: number; to_review: number; not_found: number; error: number }[];
}

/** The chart's points recounted from every unit's `updated_at`, in the answer's own buckets. */
export function chartOf(rows: Selectable<ResultsTable>[], chart: Chart) {
  const from = Date.parse(chart.from);
  assert.equal(from % 1000, 0, 'the chart starts on a whole second');
  const points = chart.points.map((p) => ({
    at: p.at,
    found: 0,
    to_review: 0,
    not_found: 0,
    error: 0,
  }));
  for (const r of rows) {
    if (!['found', 'to_review', 'not_found', 'error'].includes(r.status)) continue;
    const ms = Date.parse(new Date(r.updated_at).toISOString());
    const i = Math.floor((ms - from) / 1000 / chart.bucket_seconds);
    points[Math.min(points.length - 1, Math.max(0, i))]![r.status as 'found'] += 1;
  }
  return points;
}
