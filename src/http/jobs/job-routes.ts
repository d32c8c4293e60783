import type { FastifyInstance } from 'fastify';
import type { JobStatus } from '../../jobs/job-status.js';
import { deleteJob, applyJobAction } from '../../jobs/lifecycle.js';
import { getJob, listJobs, type JobListQuery } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { ERROR_REF } from '../http-error.js';
import {
  ACTION_ERRORS,
  JOB_DETAIL_SCHEMA,
  JOB_ERRORS,
  JOB_PARAMS,
  JOB_SCHEMA,
  LIST_QUERY,
  LIST_RESPONSE,
  RETRY_QUERY,
  TAGS,
} from './job-schemas.js';
import { jobDetail, jobViews } from './job-view.js';
import { WAIT_QUERY, waitWhileRunning } from './wait-for-job.js';
import type { JobsRouteDeps } from './route-deps.js';

type IdParams = { Params: { id: string } };
type ListRequest = {
  Querystring: {
    page: number;
    per_page: number;
    status?: JobStatus;
    sort?: JobListQuery['sort'];
    search?: string;
  };
};

const ACTIONS = [
  ['start', 'Start a pending job (jobs start on creation unless auto_start is false)'],
  ['pause', 'Pause a job; the worker stops taking its codes within a second'],
  ['resume', 'Resume a paused job'],
  ['cancel', 'Cancel a job; results so far are kept and downloadable'],
] as const;

/** `GET /jobs`, `GET /jobs/{id}`, the lifecycle actions and `DELETE /jobs/{id}`. */
export function registerJobRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;

  app.get<ListRequest>(
    '/jobs',
    {
      schema: {
        tags: TAGS,
        summary: "List jobs (yours; every owner's with an admin token)",
        querystring: LIST_QUERY,
        response: { 200: LIST_RESPONSE, 400: { ...ERROR_REF, description: 'Invalid query' } },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const q = request.query;
      const page = await listJobs(db, {
        owner: ownerFilter(auth),
        status: q.status ?? null,
        search: q.search?.trim() || null,
        page: q.page,
        perPage: q.per_page,
        sort: q.sort,
      });
      return { ...page, items: await jobViews(db, page.items) };
    },
  );

  app.get<IdParams & { Querystring: { wait?: number } }>(
    '/jobs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'A job with counters, pre-flight report, progress, rate, ETA and statistics',
        description:
          '`?wait=N` (seconds, up to 300) answers as soon as the job is no longer running (completed, failed, cancelled, paused, pending or waiting for Amazon), or after N seconds with the job as it is then: a script waits for the end with one request, or a loop of them.',
        params: JOB_PARAMS,
        querystring: WAIT_QUERY,
        response: { 200: JOB_DETAIL_SCHEMA, ...JOB_ERRORS },
      },
    },
    async (request) => {
      const owner = ownerFilter(requireAuth(request));
      let job = await getJob(db, request.params.id, owner);
      const wait = request.query.wait ?? 0;
      if (wait > 0) job = await waitWhileRunning(db, job, wait * 1000, request.raw);
      return jobDetail(db, job);
    },
  );

  for (const [action, summary] of ACTIONS) {
    app.post<IdParams>(
      `/jobs/:id/${action}`,
      {
        schema: {
          tags: TAGS,
          summary,
          params: JOB_PARAMS,
          response: { 200: JOB_SCHEMA, ...ACTION_ERRORS },
        },
      },
      async (request) => {
        const owner = ownerFilter(requireAuth(request));
        const job = await applyJobAction(deps.jobs, request.params.id, action, { owner });
        return (await jobViews(db, [job]))[0];
      },
    );
  }

  app.post<IdParams & { Querystring: { reset_retry_counter: boolean } }>(
    '/jobs/:id/retry',
    {
      schema: {
        tags: TAGS,
        summary: 'Retry the codes that ended in error, of a failed or cancelled job',
        params: JOB_PARAMS,
        querystring: RETRY_QUERY,
        response: { 200: JOB_SCHEMA, ...ACTION_ERRORS },
      },
    },
    async (request) => {
      const owner = ownerFilter(requireAuth(request));
      const job = await applyJobAction(deps.jobs, request.params.id, 'retry', {
        owner,
        resetRetryCounter: request.query.reset_retry_counter,
      });
      return (await jobViews(db, [job]))[0];
    },
  );

  app.delete<IdParams>(
    '/jobs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a job with its rows, results and logs (not while it is processing)',
        params: JOB_PARAMS,
        response: {
          204: { type: 'null', description: 'Deleted', examples: [null] },
          ...ACTION_ERRORS,
        },
      },
    },
    async (request, reply) => {
      await deleteJob(deps.jobs, request.params.id, ownerFilter(requireAuth(request)));
      return reply.code(204).send();
    },
  );
}
