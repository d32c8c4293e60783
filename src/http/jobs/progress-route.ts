import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { chartNeedsFold, foldJobCounts, progressCountsQuery } from '../../jobs/job-counts.js';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { JOB_ERRORS, JOB_PARAMS, TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';

/** At most this many points: one chart's width, whatever the job's size or length. */
export const MAX_BUCKETS = 60;
const OUTCOMES = ['found', 'to_review', 'not_found', 'error'] as const;
type Outcome = (typeof OUTCOMES)[number];

const PROGRESS_RESPONSE = {
  type: 'object',
  required: ['from', 'to', 'bucket_seconds', 'points'],
  properties: {
    from: {
      type: 'string',
      description:
        'Start of the first bucket: the job’s start (or creation), to the whole second below.',
    },
    to: { type: 'string', description: 'End of the last bucket: the job’s end, or now.' },
    bucket_seconds: { type: 'integer', minimum: 1 },
    points: {
      type: 'array',
      maxItems: MAX_BUCKETS,
      description:
        'Results resolved per bucket, by outcome, as last written (a later review decision counts at its own time, in the last bucket at most).',
      items: {
        type: 'object',
        required: ['at', ...OUTCOMES],
        properties: {
          at: { type: 'string', description: 'Start of the bucket.' },
          ...Object.fromEntries(OUTCOMES.map((o) => [o, { type: 'integer' }])),
        },
      },
    },
  },
  examples: [
    {
      from: '2026-12-05T06:00:00.000Z',
      to: '2026-12-05T06:02:00.000Z',
      bucket_seconds: 2,
      points: [{ at: '2026-12-05T06:00:00.000Z', found: 3, to_review: 1, not_found: 0, error: 0 }],
    },
  ],
} as const;

export interface ProgressPoint extends Record<Outcome, number> {
  at: string;
}

/**
 * A job's resolved results over time in at most MAX_BUCKETS buckets from its start (to the whole
 * second) to its end (or `now`), summed from the counts the database keeps per job and whole
 * second of `updated_at` (migration 0016): exact, and a few rows per bucket whatever the job's
 * size (one pass over a 100,000-result job's index entries took 47–234 ms a call). What it reads
 * grows with the job's duration instead (at most one row per outcome and second with a write).
 */
export async function jobProgressSeries(
  db: Kysely<DB>,
  job: { id: string; created_at: string; started_at: string | null; completed_at: string | null },
  now = Date.now(),
) {
  // Whole seconds: the kept counts' resolution, so each bucket's count is exact.
  const fromMs = Math.floor(Date.parse(job.started_at ?? job.created_at) / 1000) * 1000;
  const toMs = Math.max(fromMs + 1000, job.completed_at ? Date.parse(job.completed_at) : now);
  const bucketSeconds = Math.max(1, Math.ceil((toMs - fromMs) / 1000 / MAX_BUCKETS));
  const buckets = Math.ceil((toMs - fromMs) / 1000 / bucketSeconds);
  const { rows } = await progressCountsQuery(job.id, fromMs / 1000, bucketSeconds).execute(db);
  if (chartNeedsFold(rows)) await foldJobCounts(db, job.id);
  const points: ProgressPoint[] = Array.from({ length: buckets }, (_, i) => ({
    at: new Date(fromMs + i * bucketSeconds * 1000).toISOString(),
    found: 0,
    to_review: 0,
    not_found: 0,
    error: 0,
  }));
  for (const row of rows) {
    // Written before the start (a cached answer) or after the end (a decision): the nearest edge.
    const i = Math.min(buckets - 1, Math.max(0, Number(row.bucket)));
    points[i]![row.status as Outcome] += Number(row.n);
  }
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    bucket_seconds: bucketSeconds,
    points,
  };
}

/** `GET /jobs/{id}/progress`: the job page's chart, polled while the job runs. */
export function registerProgressRoute(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;
  app.get<{ Params: { id: string } }>(
    '/jobs/:id/progress',
    {
      schema: {
        tags: TAGS,
        summary: 'Results resolved over time, by outcome (at most 60 points)',
        params: JOB_PARAMS,
        response: { 200: PROGRESS_RESPONSE, ...JOB_ERRORS },
      },
    },
    async (request) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      return jobProgressSeries(db, job);
    },
  );
}
