import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { JOB_STATUSES } from '../../jobs/job-status.js';
import { errorStatistics } from '../../jobs/statistics.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { ERROR_REF } from '../http-error.js';
import { TAGS } from './job-schemas.js';

const STATISTICS_RESPONSE = {
  type: 'object',
  properties: {
    owner: { type: ['string', 'null'], description: 'Null: every owner (admin token).' },
    jobs: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        by_status: {
          type: 'object',
          properties: Object.fromEntries(JOB_STATUSES.map((s) => [s, { type: 'integer' }])),
        },
      },
    },
    codes: {
      type: 'object',
      description: 'Rows over all jobs, and their units (code × marketplace) by outcome.',
      properties: Object.fromEntries(
        ['total', 'valid', 'invalid', 'found', 'to_review', 'not_found', 'errors'].map((k) => [
          k,
          { type: 'integer' },
        ]),
      ),
    },
    average_confidence: { type: ['number', 'null'], description: 'Over the results with an ASIN.' },
  },
  examples: [
    {
      owner: 'alice',
      jobs: {
        total: 3,
        by_status: { pending: 0, processing: 1, paused: 0, completed: 2, failed: 0, cancelled: 0 },
      },
      codes: {
        total: 3500,
        valid: 3420,
        invalid: 80,
        found: 3000,
        to_review: 100,
        not_found: 280,
        errors: 4,
      },
      average_confidence: 0.912,
    },
  ],
};

const ERRORS_RESPONSE = {
  type: 'object',
  properties: {
    days: { type: 'integer' },
    total: { type: 'integer' },
    by_class: { type: 'object', additionalProperties: { type: 'integer' } },
    by_day: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          day: { type: 'string' },
          error_class: { type: 'string' },
          count: { type: 'integer' },
        },
      },
    },
  },
  examples: [
    {
      days: 7,
      total: 3,
      by_class: { network: 2, auth: 1 },
      by_day: [{ day: '2026-01-15', error_class: 'network', count: 2 }],
    },
  ],
};

/** Jobs by status, row and unit totals and the average confidence, for an owner or everyone. */
export async function overallStatistics(db: Kysely<DB>, owner: string | null) {
  let jobs = db
    .selectFrom('code2asin_jobs')
    .select([
      'status',
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(total_rows)`.as('rows'),
      sql<number>`sum(valid_rows)`.as('valid'),
      sql<number>`sum(invalid_rows)`.as('invalid'),
      sql<number>`sum(found_count)`.as('found'),
      sql<number>`sum(to_review_count)`.as('to_review'),
      sql<number>`sum(not_found_count)`.as('not_found'),
      sql<number>`sum(error_count)`.as('errors'),
    ])
    .groupBy('status');
  let confidence = db
    .selectFrom('code2asin_results as r')
    .innerJoin('code2asin_jobs as j', 'j.id', 'r.job_id')
    .select(sql<number | null>`avg(r.confidence)`.as('avg'))
    .where('r.asin', 'is not', null);
  if (owner) {
    jobs = jobs.where('owner', '=', owner);
    confidence = confidence.where('j.owner', '=', owner);
  }
  const [rows, avg] = await Promise.all([jobs.execute(), confidence.executeTakeFirstOrThrow()]);
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<string, number>;
  const codes = { total: 0, valid: 0, invalid: 0, found: 0, to_review: 0, not_found: 0, errors: 0 };
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    codes.total += Number(r.rows ?? 0);
    codes.valid += Number(r.valid ?? 0);
    codes.invalid += Number(r.invalid ?? 0);
    codes.found += Number(r.found ?? 0);
    codes.to_review += Number(r.to_review ?? 0);
    codes.not_found += Number(r.not_found ?? 0);
    codes.errors += Number(r.errors ?? 0);
  }
  const total = Object.values(byStatus).reduce((a, n) => a + n, 0);
  const average = avg.avg === null ? null : Math.round(Number(avg.avg) * 1000) / 1000;
  return { owner, jobs: { total, by_status: byStatus }, codes, average_confidence: average };
}

/** `GET /statistics` and `GET /stats/errors?days=N`. */
export function registerStatisticsRoutes(app: FastifyInstance, db: Kysely<DB>): void {
  app.get(
    '/statistics',
    {
      schema: {
        tags: TAGS,
        summary:
          'Your jobs by status, codes, found, to review, not found, errors, average confidence (all owners for admin)',
        response: { 200: STATISTICS_RESPONSE },
      },
    },
    async (request) => overallStatistics(db, ownerFilter(requireAuth(request))),
  );

  app.get<{ Querystring: { days: number } }>(
    '/stats/errors',
    {
      schema: {
        tags: TAGS,
        summary: 'Lookup errors by class and by day over the last N days',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { days: { type: 'integer', minimum: 1, maximum: 365, default: 7 } },
        },
        response: { 200: ERRORS_RESPONSE, 400: { ...ERROR_REF, description: 'days out of 1–365' } },
      },
    },
    async (request) => errorStatistics(db, request.query.days, ownerFilter(requireAuth(request))),
  );
}
