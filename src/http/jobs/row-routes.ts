import type { FastifyInstance } from 'fastify';
import { fromJson } from '../../db/dialect.js';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { JOB_ERRORS, JOB_PARAMS, TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';

type RowsRequest = {
  Params: { id: string };
  Querystring: { after: number; limit: number; valid?: boolean };
};

const ROWS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'Rows after this row number (keyset paging: the last `row` of a page).',
    },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
    valid: { type: 'boolean', description: 'Only valid (true) or only invalid (false) codes.' },
  },
};

const ROWS_RESPONSE = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          row: {
            type: 'integer',
            description: 'Line of the row in the file (the header, when there is one, is line 1).',
          },
          raw_code: { type: ['string', 'null'], description: 'The code cell as read.' },
          code: { type: ['string', 'null'], description: 'Normalised display form.' },
          gtin: { type: ['string', 'null'], description: 'GTIN-14 form.' },
          code_type: { type: ['string', 'null'] },
          valid: { type: 'boolean' },
          reason: {
            type: ['string', 'null'],
            description: 'Why an invalid code was refused (bad_check_digit, scientific_notation…).',
          },
          flags: {
            type: 'array',
            items: { type: 'string' },
            description: 'What was repaired or noted: repaired_leading_zeros, cleaned, case_pack…',
          },
          cells: { type: 'array', items: { type: ['string', 'null'] } },
        },
      },
    },
    next_after: { type: ['integer', 'null'], description: 'Pass as `after` for the next page.' },
  },
  examples: [
    {
      items: [
        {
          row: 2,
          raw_code: '3017620422003',
          code: '3017620422003',
          gtin: '03017620422003',
          code_type: 'EAN-13',
          valid: true,
          reason: null,
          flags: [],
          cells: ['3017620422003', 'Nutella 400 g'],
        },
      ],
      next_after: null,
    },
  ],
};

/**
 * `GET /jobs/{id}/rows`: the input rows as read, with what each code became. The upload
 * preview of the web UI reads the first 20 of a job created with `auto_start: false`.
 */
export function registerRowRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;
  app.get<RowsRequest>(
    '/jobs/:id/rows',
    {
      schema: {
        tags: TAGS,
        summary: "A job's input rows with each code's normalised form, type, validity and reason",
        params: JOB_PARAMS,
        querystring: ROWS_QUERY,
        response: { 200: ROWS_RESPONSE, ...JOB_ERRORS },
      },
    },
    async (request) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      const { after, limit, valid } = request.query;
      let query = db
        .selectFrom('code2asin_rows')
        .select(['row_number', 'raw_code', 'code', 'gtin', 'code_type', 'valid', 'reason'])
        .select(['flags', 'cells'])
        .where('job_id', '=', job.id)
        .where('row_number', '>', after);
      if (valid !== undefined) query = query.where('valid', '=', valid ? 1 : 0);
      const rows = await query
        .orderBy('row_number')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          row: r.row_number,
          raw_code: r.raw_code,
          code: r.code,
          gtin: r.gtin,
          code_type: r.code_type,
          valid: Number(r.valid) === 1,
          reason: r.reason,
          flags: fromJson<string[]>(r.flags) ?? [],
          cells: (fromJson<unknown[]>(r.cells) ?? []).map((c) => (c == null ? null : String(c))),
        })),
        next_after: rows.length > limit ? (page.at(-1)?.row_number ?? null) : null,
      };
    },
  );
}
