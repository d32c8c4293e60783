import type { FastifyInstance } from 'fastify';
import { extname } from 'node:path';
import { fromJson } from '../../db/dialect.js';
import type { JobLogLevel } from '../../jobs/job-log.js';
import { getJob, type Job } from '../../jobs/jobs-repository.js';
import { writeJobResults, type ResultFormat } from '../../jobs/result-export.js';
import type { DecimalChoice } from '../../jobs/decimal-separator.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { createDownloadStream } from './download-stream.js';
import { attachmentDisposition } from './file-name.js';
import { JOB_ERRORS, JOB_PARAMS, TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';
import { DOWNLOAD_QUERY, DOWNLOAD_RESPONSE, LOGS_QUERY, LOGS_RESPONSE } from './result-schemas.js';

const CONTENT_TYPES: Record<ResultFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** `codes_ean-results.xlsx` from the uploaded file's name, else from the job's name. */
export function downloadName(job: Job, format: ResultFormat): string {
  const from = job.source_file_name ?? job.name;
  const base = job.source_file_name ? from.slice(0, from.length - extname(from).length) : from;
  return `${base || 'job'}-results.${format}`;
}

type DownloadRequest = {
  Params: { id: string };
  Querystring: { format: ResultFormat; decimal?: DecimalChoice };
};
type LogsRequest = {
  Params: { id: string };
  Querystring: { page: number; per_page: number; level?: JobLogLevel; order: 'asc' | 'desc' };
};

/** `GET /jobs/{id}/download` (streamed result file) and `GET /jobs/{id}/logs`. */
export function registerDownloadRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;

  app.get<DownloadRequest>(
    '/jobs/:id/download',
    {
      schema: {
        tags: TAGS,
        summary:
          'Download the result file (CSV, XLSX or JSON lines), streamed; allowed while running',
        params: JOB_PARAMS,
        querystring: DOWNLOAD_QUERY,
        produces: Object.values(CONTENT_TYPES).map((t) => t.split(';')[0] as string),
        response: { 200: DOWNLOAD_RESPONSE, ...JOB_ERRORS },
      },
    },
    async (request, reply) => {
      const owner = ownerFilter(requireAuth(request));
      const job = await getJob(db, request.params.id, owner);
      const format = request.query.format;
      const { sink, source, gone } = createDownloadStream();
      // A writer's failure is logged below and cuts the answer through `source`; the sink's own
      // 'error' event has no other listener, and unheard it would end the whole process.
      sink.on('error', () => undefined);
      // Headers are sent with the first bytes: a failure after that can only cut the stream.
      const decimal = request.query.decimal;
      writeJobResults(deps.jobs, job.id, format, sink, owner, decimal, gone).then(
        ({ rows }) => {
          if (gone.aborted) request.log.info({ jobId: job.id, rows }, 'result download left early');
        },
        (err: unknown) => {
          request.log.warn({ err, jobId: job.id }, 'result download failed');
          sink.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', attachmentDisposition(downloadName(job, format)))
        .header('cache-control', 'no-store');
      return reply.send(source);
    },
  );

  app.get<LogsRequest>(
    '/jobs/:id/logs',
    {
      schema: {
        tags: TAGS,
        summary: "A job's log, newest first (or order=asc), filtered by level",
        params: JOB_PARAMS,
        querystring: LOGS_QUERY,
        response: { 200: LOGS_RESPONSE, ...JOB_ERRORS },
      },
    },
    async (request) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      const { page, per_page: perPage, level, order } = request.query;
      let base = db.selectFrom('code2asin_logs').where('job_id', '=', job.id);
      if (level) base = base.where('level', '=', level);
      const [rows, count] = await Promise.all([
        base
          .select(['id', 'level', 'message', 'details', 'created_at'])
          .orderBy('id', order)
          .limit(perPage)
          .offset((page - 1) * perPage)
          .execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const items = rows.map((r) => ({
        ...r,
        details: fromJson<Record<string, unknown>>(r.details),
      }));
      return { items, total: Number(count.n), page, per_page: perPage };
    },
  );
}
