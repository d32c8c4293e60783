import { sql, type Kysely } from 'kysely';
import { nowIso, toJson } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { resolveRules } from '../matching/resolve-rules.js';
import type { MatchingRule } from '../matching/types.js';
import type { JobsContext } from './context.js';
import type { Job, PreflightReport } from './jobs-repository.js';
import { recountJob } from './recount-job.js';

/** Default age after which a cached mapping is looked up again. */
export const DEFAULT_CACHE_TTL_DAYS = 30;

/**
 * After ingestion: resolves the units that need no request (an `always` rule of the owner, then
 * a fresh cached mapping unless `refresh`), counts everything, and stores the report and the
 * counters on the job.
 */
export async function buildPreflight(
  ctx: JobsContext & { cacheTtlDays?: number },
  job: Job,
  detection: Record<string, unknown> | null,
): Promise<PreflightReport> {
  const { db } = ctx.database;
  if (job.options.use_amazon_api !== false) {
    await applyAlwaysRules(db, job);
    if (!job.options.refresh) await applyCache(db, job, ctx.cacheTtlDays ?? DEFAULT_CACHE_TTL_DAYS);
  }
  const report = await countReport(db, job, ctx.quotaTps, detection);
  await db
    .updateTable('code2asin_jobs')
    .set({
      preflight: toJson(report),
      total_rows: report.rows,
      valid_rows: report.valid,
      invalid_rows: report.invalid,
      duplicate_rows: report.duplicates,
      cached_count: report.already_known + report.imported,
      to_query: report.to_query,
      updated_at: nowIso(),
    })
    .where('id', '=', job.id)
    .execute();
  await recountJob(db, job.id);
  return report;
}

async function applyAlwaysRules(db: Kysely<DB>, job: Job): Promise<void> {
  const rules = await db
    .selectFrom('matching_rules')
    .selectAll()
    .where('owner', '=', job.owner)
    .where('gtin', 'in', (eb) =>
      eb
        .selectFrom('code2asin_results')
        .select('gtin')
        .where('job_id', '=', job.id)
        .where('status', '=', 'pending'),
    )
    .execute();
  if (rules.length === 0) return;
  const asRules: MatchingRule[] = rules.map((r) => ({
    ...r,
    rule: r.rule as MatchingRule['rule'],
  }));
  const now = nowIso();
  for (const gtin of new Set(rules.map((r) => r.gtin))) {
    for (const marketplace of job.marketplaces) {
      const { always } = resolveRules(asRules, gtin, marketplace);
      if (!always) continue;
      await db
        .updateTable('code2asin_results')
        .set({
          status: 'found',
          source: 'rule',
          asin: always.asin,
          match_type: 'manual',
          confidence: 1,
          reasons: toJson(['manual_rule']),
          updated_at: now,
        })
        .where('job_id', '=', job.id)
        .where('marketplace', '=', marketplace)
        .where('gtin', '=', gtin)
        .where('status', '=', 'pending')
        .execute();
    }
  }
}

/** Copies fresh cached mappings into pending units, except an ASIN the owner has ruled out. */
async function applyCache(db: Kysely<DB>, job: Job, ttlDays: number): Promise<void> {
  const cutoff = new Date(Date.now() - ttlDays * 86_400_000).toISOString();
  await db
    .updateTable('code2asin_results as r')
    .from('amazon_mappings as m')
    .set((eb) => ({
      status: sql<string>`case when m.asin is null then 'not_found' else 'found' end`,
      source: sql<string>`'cache'`,
      asin: eb.ref('m.asin'),
      previous_asin: eb.ref('m.asin'),
      match_type: eb.ref('m.match_type'),
      confidence: eb.ref('m.confidence'),
      reasons: eb.ref('m.reasons'),
      candidates: eb.ref('m.candidates'),
      product: eb.ref('m.product'),
      request_id: eb.ref('m.request_id'),
      updated_at: nowIso(),
    }))
    .whereRef('m.marketplace', '=', 'r.marketplace')
    .whereRef('m.gtin', '=', 'r.gtin')
    .where('r.job_id', '=', job.id)
    .where('r.status', '=', 'pending')
    .where('m.fetched_at', '>=', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('matching_rules as mr')
            .select('mr.id')
            .where('mr.owner', '=', job.owner)
            .where('mr.rule', '=', 'never')
            .whereRef('mr.gtin', '=', 'r.gtin')
            .whereRef('mr.asin', '=', 'm.asin')
            .where((eb) =>
              eb.or([
                eb('mr.marketplace', '=', '*'),
                eb('mr.marketplace', '=', eb.ref('r.marketplace')),
              ]),
            ),
        ),
      ),
    )
    .execute();
}

async function countReport(
  db: Kysely<DB>,
  job: Job,
  tps: number,
  detection: Record<string, unknown> | null,
): Promise<PreflightReport> {
  const rows = await db
    .selectFrom('code2asin_rows')
    .select(['valid', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('job_id', '=', job.id)
    .groupBy(['valid', 'reason'])
    .execute();
  const distinct = await db
    .selectFrom('code2asin_rows')
    .select((eb) => eb.fn.count<number>('gtin').distinct().as('n'))
    .where('job_id', '=', job.id)
    .where('valid', '=', 1)
    .executeTakeFirstOrThrow();
  const units = await db
    .selectFrom('code2asin_results')
    .select(['status', 'source', (eb) => eb.fn.countAll<number>().as('n')])
    .where('job_id', '=', job.id)
    .groupBy(['status', 'source'])
    .execute();
  const invalidByReason: Record<string, number> = {};
  let valid = 0;
  let invalid = 0;
  for (const r of rows) {
    if (r.valid) valid += Number(r.n);
    else {
      invalid += Number(r.n);
      invalidByReason[r.reason ?? 'unknown'] = Number(r.n);
    }
  }
  const bySource = (s: string) =>
    units.filter((u) => u.source === s).reduce((a, u) => a + Number(u.n), 0);
  const toQuery = units.filter((u) => u.status === 'pending').reduce((a, u) => a + Number(u.n), 0);
  const distinctCodes = Number(distinct.n);
  return {
    rows: valid + invalid,
    valid,
    invalid,
    invalid_by_reason: invalidByReason,
    duplicates: valid - distinctCodes,
    distinct_codes: distinctCodes,
    marketplaces: job.marketplaces,
    already_known: bySource('cache') + bySource('rule'),
    cached: bySource('cache'),
    by_rule: bySource('rule'),
    imported: bySource('import'),
    to_query: toQuery,
    requests: toQuery,
    eta_seconds: Math.ceil(toQuery / Math.max(tps, 0.001)),
    detection,
  };
}
