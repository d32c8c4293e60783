import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.js';
import {
  chartNeedsFold,
  FOLD_AT,
  foldJobCounts,
  progressCountsQuery,
  rollUpProgress,
} from '../../jobs/job-counts.js';
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
    bucket_seconds: {
      type: 'integer',
      minimum: 1,
      description: 'Whole seconds; whole minutes once a started job has run over an hour.',
    },
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

/** Rows younger than this stay per second (the current rate reads the last minute of them). */
const ROLL_UP_AFTER_S = 120;

/**
 * A job's resolved results over time in at most MAX_BUCKETS buckets from its start (to the whole
 * second) to its end (or `now`), summed from the counts the database keeps per job and whole
 * second of `updated_at` (migration 0016): exact, and a few rows per bucket whatever the job's
 * size (one pass over a 100,000-result job's index entries took 47–234 ms a call). A started run
 * over an hour long has buckets of whole minutes from its start, and its older rows are rolled up
 * per minute when they pile up: what the chart reads then grows by four rows a minute at most.
 */
export async function jobProgressSeries(
  database: Pick<Database, 'db' | 'dialect'>,
  job: { id: string; created_at: string; started_at: string | null; completed_at: string | null },
  now = Date.now(),
) {
  const { db } = database;
  // Whole seconds: the kept counts' resolution, so each bucket's count is exact.
  const fromMs = Math.floor(Date.parse(job.started_at ?? job.created_at) / 1000) * 1000;
  const toMs = Math.max(fromMs + 1000, job.completed_at ? Date.parse(job.completed_at) : now);
  const span = (toMs - fromMs) / 1000;
  let bucketSeconds = Math.max(1, Math.ceil(span / MAX_BUCKETS));
  // The start is fixed once set and the span only grows: minutes, once, are minutes for good.
  const minutes = job.started_at !== null && bucketSeconds >= 60;
  if (minutes) bucketSeconds = Math.ceil(bucketSeconds / 60) * 60;
  const buckets = Math.ceil(span / bucketSeconds);
  const fromSecond = fromMs / 1000;
  const { rows } = await progressCountsQuery(job.id, fromSecond, bucketSeconds).execute(db);
  if (chartNeedsFold(rows)) await foldJobCounts(db, job.id);
  const parts = rows.reduce((s, r) => s + Number(r.parts), 0);
  if (minutes && parts > 4 * (Math.ceil(span / 60) + 1) + 2 * FOLD_AT) {
    const cutoff = Math.floor(now / 1000) - ROLL_UP_AFTER_S;
    await rollUpProgress(database, job.id, fromSecond, cutoff - ((cutoff - fromSecond) % 60));
  }
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
      return jobProgressSeries(deps.jobs.database, job);
    },
  );
}
