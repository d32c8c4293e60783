import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { foldJobCounts, tilesNeedFold, tileCountsQuery } from './job-counts.js';

/** The original system's tiles for one job (over its units, all marketplaces). */
export interface JobStatistics {
  total_codes: number;
  with_asin: number;
  with_images: number;
  with_price: number;
  exact_matches: number;
  partial_matches: number;
  fuzzy_matches: number;
  manual_matches: number;
  /** Proposals waiting for a person: not counted in the match tiles above. */
  to_review: number;
  not_found: number;
  errors: number;
  pending: number;
  average_confidence: number | null;
}

/**
 * Computes a job's tiles from the counts the database keeps per job (migration 0016): a few rows
 * whatever the job's size. One pass over a 100,000-result job's index entries took 39–150 ms a
 * call (×16–22 a 1,000-result job's, bench/web-api-large.bench.ts). Folds the job's count deltas
 * when they pile up (PostgreSQL).
 */
export async function jobStatistics(db: Kysely<DB>, jobId: string): Promise<JobStatistics> {
  const { rows } = await tileCountsQuery(jobId).execute(db);
  if (tilesNeedFold(rows)) await foldJobCounts(db, jobId);
  const n = (v: unknown) => Number(v ?? 0);
  const stats: JobStatistics = {
    total_codes: 0,
    with_asin: 0,
    with_images: 0,
    with_price: 0,
    exact_matches: 0,
    partial_matches: 0,
    fuzzy_matches: 0,
    manual_matches: 0,
    to_review: 0,
    not_found: 0,
    errors: 0,
    pending: 0,
    average_confidence: null,
  };
  const MATCH_TILES = {
    exact: 'exact_matches',
    partial: 'partial_matches',
    fuzzy: 'fuzzy_matches',
    manual: 'manual_matches',
  } as const;
  const STATUS_TILES = {
    to_review: 'to_review',
    not_found: 'not_found',
    error: 'errors',
    pending: 'pending',
  } as const;
  let confidenceSum = 0;
  let confidenceN = 0;
  for (const r of rows) {
    const count = n(r.n);
    stats.total_codes += count;
    stats.with_asin += n(r.with_asin);
    stats.with_images += n(r.with_images);
    stats.with_price += n(r.with_price);
    confidenceSum += n(r.confidence_sum);
    confidenceN += n(r.confidence_n);
    const statusTile = STATUS_TILES[r.status as keyof typeof STATUS_TILES];
    if (statusTile) stats[statusTile] += count;
    const matchTile = MATCH_TILES[r.match_type as keyof typeof MATCH_TILES];
    // A proposal waiting for a person is not a match yet (the `to_review` tile counts it).
    if (matchTile && r.status !== 'to_review') stats[matchTile] += count;
  }
  if (confidenceN > 0)
    stats.average_confidence = Math.round((confidenceSum / confidenceN) * 1000) / 1000;
  return stats;
}

/** Errors by class over the last `days` days, per day (UTC), for an owner or everyone. */
export async function errorStatistics(
  db: Kysely<DB>,
  days: number,
  owner?: string | null,
): Promise<{
  days: number;
  total: number;
  by_class: Record<string, number>;
  by_day: { day: string; error_class: string; count: number }[];
}> {
  const since = new Date(Date.now() - days * 86_400_000).toISOString();
  let q = db
    .selectFrom('code2asin_results as r')
    .innerJoin('code2asin_jobs as j', 'j.id', 'r.job_id')
    .select(['r.error_class', 'r.updated_at'])
    .where('r.status', '=', 'error')
    .where('r.updated_at', '>=', since);
  if (owner) q = q.where('j.owner', '=', owner);
  const rows = await q.execute();
  const byClass: Record<string, number> = {};
  const byDay = new Map<string, number>();
  for (const row of rows) {
    const cls = row.error_class ?? 'unknown';
    byClass[cls] = (byClass[cls] ?? 0) + 1;
    const key = `${row.updated_at.slice(0, 10)}|${cls}`;
    byDay.set(key, (byDay.get(key) ?? 0) + 1);
  }
  return {
    days,
    total: rows.length,
    by_class: byClass,
    by_day: [...byDay]
      .map(([k, count]) => {
        const [day = '', error_class = ''] = k.split('|');
        return { day, error_class, count };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || a.error_class.localeCompare(b.error_class)),
  };
}
