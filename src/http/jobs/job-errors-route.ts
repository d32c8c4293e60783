import type { FastifyInstance } from 'fastify';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { JOB_ERRORS, JOB_PARAMS, TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';

const ERRORS_RESPONSE = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    by_class: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          error_class: {
            type: 'string',
            description: 'network, throttled, auth… (`unknown` when unset)',
          },
          count: { type: 'integer' },
          example: {
            type: ['string', 'null'],
            description: 'The message of one result of this class, to say what happened.',
          },
        },
      },
    },
  },
  examples: [
    {
      total: 3,
      by_class: [{ error_class: 'network', count: 3, example: 'connection reset by the server' }],
    },
  ],
};

/** `GET /jobs/{id}/errors`: the job's results in error, counted by class (largest first). */
export function registerJobErrorsRoute(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;
  app.get<{ Params: { id: string } }>(
    '/jobs/:id/errors',
    {
      schema: {
        tags: TAGS,
        summary: "A job's lookup errors by class, each with an example message",
        params: JOB_PARAMS,
        response: { 200: ERRORS_RESPONSE, ...JOB_ERRORS },
      },
    },
    async (request) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      const rows = await db
        .selectFrom('code2asin_results')
        .select(({ fn }) => [
          'error_class',
          fn.countAll<number>().as('n'),
          fn.max('error_message').as('example'),
        ])
        .where('job_id', '=', job.id)
        .where('status', '=', 'error')
        .groupBy('error_class')
        .execute();
      const byClass = rows
        .map((r) => ({
          error_class: r.error_class ?? 'unknown',
          count: Number(r.n),
          example: r.example ?? null,
        }))
        .sort((a, b) => b.count - a.count || a.error_class.localeCompare(b.error_class));
      return { total: byClass.reduce((s, c) => s + c.count, 0), by_class: byClass };
    },
  );
}
