import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

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

/** Computes a job's tiles in one aggregate query. */
export async function jobStatistics(db: Kysely<DB>, jobId: string): Promise<JobStatistics> {
  const r = await db
    .selectFrom('code2asin_results')
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when asin is not null then 1 else 0 end)`.as('with_asin'),
      sql<number>`sum(case when asin is not null and product is not null and cast(product as text) like '%"images":["%' then 1 else 0 end)`.as(
        'with_images',
      ),
      sql<number>`sum(case when asin is not null and product is not null and cast(product as text) not like '%"price":null%' then 1 else 0 end)`.as(
        'with_price',
      ),
      sql<number>`sum(case when match_type = 'exact' and status <> 'to_review' then 1 else 0 end)`.as(
        'exact',
      ),
      sql<number>`sum(case when match_type = 'partial' and status <> 'to_review' then 1 else 0 end)`.as(
        'partial',
      ),
      sql<number>`sum(case when match_type = 'fuzzy' and status <> 'to_review' then 1 else 0 end)`.as(
        'fuzzy',
      ),
      sql<number>`sum(case when match_type = 'manual' and status <> 'to_review' then 1 else 0 end)`.as(
        'manual',
      ),
      sql<number>`sum(case when status = 'to_review' then 1 else 0 end)`.as('to_review'),
      sql<number>`sum(case when status = 'not_found' then 1 else 0 end)`.as('not_found'),
      sql<number>`sum(case when status = 'error' then 1 else 0 end)`.as('errors'),
      sql<number>`sum(case when status in ('pending', 'claimed') then 1 else 0 end)`.as('pending'),
      sql<number | null>`avg(case when asin is not null then confidence end)`.as('avg_conf'),
    ])
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  const n = (v: unknown) => Number(v ?? 0);
  return {
    total_codes: n(r.total),
    with_asin: n(r.with_asin),
    with_images: n(r.with_images),
    with_price: n(r.with_price),
    exact_matches: n(r.exact),
    partial_matches: n(r.partial),
    fuzzy_matches: n(r.fuzzy),
    manual_matches: n(r.manual),
    to_review: n(r.to_review),
    not_found: n(r.not_found),
    errors: n(r.errors),
    pending: n(r.pending),
    average_confidence: r.avg_conf === null ? null : Math.round(Number(r.avg_conf) * 1000) / 1000,
  };
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
