import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { waitForRateLimiterSlots } from '../db/rate-limit-slots.js';
import { nowIso, toJson } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { resolveRules, type MatchingRule } from '../matching/index.js';
import type { JobsContext } from './context.js';
import type { Job, PreflightReport } from './jobs-repository.js';
import type { IngestCounts } from './prepare-chunk.js';
import { recountJob } from './recount-job.js';
import { chainCosts } from './chain-preflight.js';
import { requestCost, type RequestCost } from './request-cost.js';

/** Default age after which a cached mapping is looked up again. */
export const DEFAULT_CACHE_TTL_DAYS = 30;

/**
 * After ingestion: resolves the units that need no request (an `always` rule of the owner, then
 * a fresh cached mapping unless `refresh`), and stores the report and the counters on the job.
 * The counts come from the ingestion and from the rows each update changed: counting them again
 * with three queries over a million rows and units took 1.6 s on SQLite.
 */
export async function buildPreflight(
  ctx: JobsContext & { cacheTtlDays?: number },
  job: Job,
  detection: Record<string, unknown> | null,
  counts: IngestCounts,
): Promise<PreflightReport> {
  const { db } = ctx.database;
  let byRule = 0;
  let cached = 0;
  if (job.options.use_amazon_api !== false) {
    byRule = await applyAlwaysRules(db, job);
    if (!job.options.refresh)
      cached = await applyCache(ctx.database, job, ctx.cacheTtlDays ?? DEFAULT_CACHE_TTL_DAYS);
  }
  const batching = await ctx.lookupBatching?.().catch((err: unknown) => {
    ctx.logger.warn({ err }, 'batch shape unknown; counting one code per request');
    return undefined;
  });
  const cost = await requestCost(db, job, batching, ctx.quotaTps);
  const report = countReport(job, counts, { byRule, cached }, cost, detection);
  const providers = await chainCosts(ctx, db, job, report.to_query);
  if (providers) {
    report.providers = providers;
    // The job's first provider, not the configured one, answers first.
    report.requests = providers[0]?.requests ?? report.requests;
    report.eta_seconds = providers[0]?.eta_seconds ?? report.eta_seconds;
  }
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
  // The result counters (0 at creation) move only when a rule, the cache or a direct import
  // resolved units; otherwise every unit is pending. Recounting a million took 1.1 s on PostgreSQL.
  if (report.already_known + report.imported > 0) await recountJob(db, job.id);
  return report;
}

/** Applies the owner's `always` rules to pending units; resolves to the units changed. */
async function applyAlwaysRules(db: Kysely<DB>, job: Job): Promise<number> {
  // From the owner's rules to the job's units (unique index), not the other way: `gtin in
  // (pending gtins of the job)` read every unit of the job, 0.6 s for a million on SQLite.
  const rules = await db
    .selectFrom('matching_rules as mr')
    .selectAll('mr')
    .where('mr.owner', '=', job.owner)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('code2asin_results as r')
          .select('r.id')
          .where('r.job_id', '=', job.id)
          .where('r.marketplace', 'in', job.marketplaces)
          .whereRef('r.gtin', '=', 'mr.gtin')
          .where('r.status', '=', 'pending'),
      ),
    )
    .execute();
  if (rules.length === 0) return 0;
  const asRules: MatchingRule[] = rules.map((r) => ({
    ...r,
    rule: r.rule as MatchingRule['rule'],
  }));
  const now = nowIso();
  let changed = 0;
  for (const gtin of new Set(rules.map((r) => r.gtin))) {
    for (const marketplace of job.marketplaces) {
      const { always } = resolveRules(asRules, gtin, marketplace);
      if (!always) continue;
      const result = await db
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
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
  }
  return changed;
}

/**
 * Units of a job whose cache update runs as one statement on SQLite: one statement over 60,000
 * units held the one write lock for 0.1–3 s (idle to loaded machine), and a running job's
 * worker waited for it at each grant of its rate limiter.
 */
const CACHE_UPDATE_UNITS = 2_000;

/**
 * Copies fresh cached mappings into pending units, except an ASIN the owner has ruled out;
 * resolves to the units changed. On SQLite by ranges of unit ids, between the rate limiters'
 * slots (`waitForRateLimiterSlots`); on PostgreSQL in one statement (row locks only).
 */
async function applyCache(database: Database, job: Job, ttlDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - ttlDays * 86_400_000).toISOString();
  if (!database.dialect.singleWriter) return cacheUpdate(database.db, job, cutoff, null);
  const span = await database.db
    .selectFrom('code2asin_results')
    .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')])
    .where('job_id', '=', job.id)
    .executeTakeFirst();
  if (span?.first == null || span.last == null) return 0;
  let changed = 0;
  let holdMs = 10;
  for (let from = Number(span.first); from <= Number(span.last); from += CACHE_UPDATE_UNITS) {
    await waitForRateLimiterSlots(database, holdMs);
    const started = performance.now();
    changed += await cacheUpdate(database.db, job, cutoff, [from, from + CACHE_UPDATE_UNITS]);
    holdMs = Math.max(10, performance.now() - started);
  }
  return changed;
}

/** The cache update of a job's pending units, those with ids in [from, to) when given. */
async function cacheUpdate(
  db: Kysely<DB>,
  job: Job,
  cutoff: string,
  ids: [number, number] | null,
): Promise<number> {
  const result = await db
    .updateTable('code2asin_results as r')
    .from('amazon_mappings as m')
    .set((eb) => ({
      status: sql<string>`case when m.asin is not null then 'found' when m.proposed_asin is not null then 'to_review' else 'not_found' end`,
      source: sql<string>`'cache'`,
      asin: eb.ref('m.asin'),
      proposed_asin: eb.ref('m.proposed_asin'),
      previous_asin: eb.ref('m.asin'),
      match_type: eb.ref('m.match_type'),
      confidence: eb.ref('m.confidence'),
      reasons: eb.ref('m.reasons'),
      candidates: eb.ref('m.candidates'),
      product: eb.ref('m.product'),
      request_id: eb.ref('m.request_id'),
      provider: eb.ref('m.provider'),
      provider_outcomes: eb.ref('m.provider_outcomes'),
      updated_at: nowIso(),
    }))
    .whereRef('m.marketplace', '=', 'r.marketplace')
    .whereRef('m.gtin', '=', 'r.gtin')
    .where('r.job_id', '=', job.id)
    .$if(ids !== null, (q) =>
      q
        .where('r.id', '>=', (ids as [number, number])[0])
        .where('r.id', '<', (ids as [number, number])[1]),
    )
    .where('r.status', '=', 'pending')
    .where('m.fetched_at', '>=', cutoff)
    // A job naming its providers takes a cached "not found" only when each of them said so.
    .$if(job.options.providers != null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('m.asin', 'is not', null),
          eb('m.proposed_asin', 'is not', null),
          eb.and(
            (job.options.providers ?? []).map((p) => eb('m.not_found_by', 'like', `%,${p},%`)),
          ),
        ]),
      ),
    )
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
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What the codes to query will cost: requests (null: one per unit), at requests per second. */
function countReport(
  job: Job,
  counts: IngestCounts,
  resolved: { byRule: number; cached: number },
  cost: RequestCost,
  detection: Record<string, unknown> | null,
): PreflightReport {
  // One unit per marketplace for each distinct valid code: inserted or skipped together.
  const distinctCodes = counts.units / Math.max(job.marketplaces.length, 1);
  const direct = job.options.use_amazon_api === false;
  const imported = direct ? counts.units : 0;
  const toQuery = direct ? 0 : counts.units - resolved.byRule - resolved.cached;
  const requests = direct ? 0 : (cost.requests ?? toQuery);
  const invalidByReason = Object.fromEntries(
    Object.entries(counts.invalidByReason).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    rows: counts.rows,
    valid: counts.valid,
    invalid: counts.invalid,
    invalid_by_reason: invalidByReason,
    duplicates: counts.valid - distinctCodes,
    distinct_codes: distinctCodes,
    marketplaces: job.marketplaces,
    already_known: resolved.cached + resolved.byRule,
    cached: resolved.cached,
    by_rule: resolved.byRule,
    imported,
    to_query: toQuery,
    requests: requests,
    eta_seconds: Math.ceil(requests / Math.max(cost.tps, 0.001)),
    detection,
  };
}
