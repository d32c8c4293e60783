import type { FastifyInstance } from 'fastify';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { HttpError } from '../http-error.js';
import { listDecisions, undoLatestBatch } from './decision-undo.js';
import { JOB_PARAMS, TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';
import { RESULT_ERRORS, RESULT_SCHEMA, RESULTS_QUERY } from './result-schemas.js';
import { filteredResults, toResultView, type ResultFilters } from './results-query.js';
import {
  applyDecisions,
  decidedAsin,
  proposalOf,
  type DecisionAction,
} from './review-decisions.js';
import { marketplaceDomain } from './result-routes.js';
import { listingOf, summarizeSimilar } from './similar-decisions.js';
import { DECIDED_FIELDS, SHOWN, shownResults, SIMILAR_SCHEMA } from './similar-route.js';

/** A bulk decision covers at most this many results: narrow the filter for more. */
export const BULK_LIMIT = 10_000;

const REMEMBER = {
  type: 'boolean',
  default: false,
  description:
    "Also store the decision as the owner's matching rule (`always` the ASIN, `never` the rejected one), applied to the same code in later jobs. Off by default.",
};
const {
  page: _page,
  per_page: _perPage,
  after: _after,
  ...FILTER_PROPERTIES
} = RESULTS_QUERY.properties;
const CONFLICT = { ...RESULT_ERRORS[400], description: 'The results changed meanwhile' };

const DECISION_BODY = {
  type: 'object',
  required: ['result_id', 'action'],
  additionalProperties: false,
  properties: {
    result_id: { type: 'integer', minimum: 1 },
    action: {
      type: 'string',
      enum: ['accept', 'choose', 'asin', 'no_match'],
      description:
        '`accept` the proposal (its ASIN, else its best candidate), `choose` a candidate, enter an `asin`, or `no_match`.',
    },
    asin: { type: ['string', 'null'], maxLength: 20, description: 'For `choose` and `asin`.' },
    remember: REMEMBER,
  },
  examples: [{ result_id: 42, action: 'choose', asin: 'B0DEMO0002' }],
};

const BULK_BODY = {
  type: 'object',
  required: ['action', 'expected_count'],
  additionalProperties: false,
  properties: {
    action: {
      type: 'string',
      enum: ['accept', 'no_match'],
      description: '`accept` the best candidate of each result, or mark each `no_match`.',
    },
    filter: {
      type: 'object',
      additionalProperties: false,
      properties: FILTER_PROPERTIES,
      description: 'The same filters as `GET /jobs/{id}/results`.',
    },
    expected_count: {
      type: 'integer',
      minimum: 1,
      description:
        'How many results the user confirmed; a different count now answers 409 with the new one.',
    },
    remember: REMEMBER,
  },
  examples: [
    { action: 'accept', filter: { review: true, min_confidence: 0.9 }, expected_count: 37 },
  ],
};

type Filter = Omit<ResultFilters, 'page' | 'per_page' | 'after' | 'marketplace'> & {
  marketplace?: string;
};

/**
 * Review decisions: one result (`POST /jobs/{id}/decisions`), every result of a filter in one
 * transaction (`…/decisions/bulk`), the history (`GET …/decisions`) and undo of the latest
 * decision or bulk decision (`…/decisions/undo`), kept on the server so undo works after a reload.
 */
export function registerDecisionRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;
  const jobOf = (request: Parameters<typeof requireAuth>[0], id: string) =>
    getJob(db, id, ownerFilter(requireAuth(request)));

  app.post<{
    Params: { id: string };
    Body: { result_id: number; action: DecisionAction; asin?: string | null; remember?: boolean };
  }>(
    '/jobs/:id/decisions',
    {
      schema: {
        tags: TAGS,
        summary: 'Decide one result: accept, choose a candidate, enter an ASIN, or no match',
        params: JOB_PARAMS,
        body: DECISION_BODY,
        response: {
          200: {
            type: 'object',
            properties: {
              batch_id: { type: 'string' },
              result: RESULT_SCHEMA,
              similar: SIMILAR_SCHEMA,
            },
          },
          ...RESULT_ERRORS,
          409: CONFLICT,
        },
      },
    },
    async (request) => {
      const job = await jobOf(request, request.params.id);
      const body = request.body;
      return db.transaction().execute(async (trx) => {
        const unit = await trx
          .selectFrom('code2asin_results')
          .selectAll()
          .where('id', '=', body.result_id)
          .where('job_id', '=', job.id)
          .executeTakeFirst();
        if (!unit) {
          throw new HttpError(
            404,
            'result_not_found',
            `Result ${body.result_id} is not in this job.`,
            {
              result_id: body.result_id,
            },
          );
        }
        const asin = decidedAsin({ unit, action: body.action, asin: body.asin });
        const applied = await applyDecisions(trx, job, [{ unit, action: body.action, asin }], {
          remember: body.remember === true,
          decidedBy: requireAuth(request).owner,
        });
        const decided = applied.units[0]!;
        // What repeating it elsewhere would change, in the same answer: no second request.
        const similar = await summarizeSimilar(trx, job, decided, listingOf(unit, asin));
        return { batch_id: applied.batchId, result: toResultView(decided), similar };
      });
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      action: 'accept' | 'no_match';
      filter?: Filter;
      expected_count: number;
      remember?: boolean;
    };
  }>(
    '/jobs/:id/decisions/bulk',
    {
      schema: {
        tags: TAGS,
        summary: 'Decide every result of a filter in one transaction (one undo step)',
        description: `At most ${BULK_LIMIT} results. With \`accept\`, results without any candidate are left as they are and counted in \`skipped\`.`,
        params: JOB_PARAMS,
        body: BULK_BODY,
        response: {
          200: {
            type: 'object',
            properties: { ...DECIDED_FIELDS, skipped: { type: 'integer' } },
          },
          ...RESULT_ERRORS,
          409: CONFLICT,
        },
      },
    },
    async (request) => {
      const job = await jobOf(request, request.params.id);
      const { action, expected_count: expected } = request.body;
      const filter = request.body.filter ?? {};
      const f = { ...filter, marketplace: marketplaceDomain(filter.marketplace) };
      if (expected > BULK_LIMIT) {
        throw new HttpError(
          400,
          'bulk_too_large',
          `A bulk decision covers at most ${BULK_LIMIT} results; narrow the filter.`,
          { field: 'expected_count', limit: BULK_LIMIT },
        );
      }
      return db.transaction().execute(async (trx) => {
        const units = await filteredResults(trx, job.id, f)
          .selectAll()
          .orderBy('id')
          .limit(BULK_LIMIT + 1)
          .execute();
        if (units.length !== expected) {
          throw new HttpError(
            409,
            'count_changed',
            `The filter now matches ${units.length} results, not ${expected}: confirm again.`,
            { count: units.length, expected_count: expected },
          );
        }
        const decisions = units
          .map((unit) => ({ unit, action, asin: action === 'accept' ? proposalOf(unit) : null }))
          .filter((d) => action === 'no_match' || d.asin !== null);
        if (decisions.length === 0) return { batch_id: null, decided: 0, skipped: units.length };
        const applied = await applyDecisions(trx, job, decisions, {
          remember: request.body.remember === true,
          decidedBy: requireAuth(request).owner,
        });
        return {
          batch_id: applied.batchId,
          decided: decisions.length,
          skipped: units.length - decisions.length,
        };
      });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { per_page: number; before?: number } }>(
    '/jobs/:id/decisions',
    {
      schema: {
        tags: TAGS,
        summary: "A job's review decisions, newest first (undone ones say when)",
        params: JOB_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            per_page: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            before: {
              type: 'integer',
              minimum: 1,
              description: "The previous page's `next_before`.",
            },
          },
        },
        response: { 200: DECISIONS_RESPONSE, ...RESULT_ERRORS },
      },
    },
    async (request) => {
      const job = await jobOf(request, request.params.id);
      return listDecisions(db, job.id, request.query);
    },
  );

  app.post<{ Params: { id: string }; Body: { batch_id?: string } | undefined }>(
    '/jobs/:id/decisions/undo',
    {
      schema: {
        tags: TAGS,
        summary: 'Undo the latest decision (or bulk decision) of the job',
        params: JOB_PARAMS,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { batch_id: { type: 'string', maxLength: 36 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              batch_id: { type: 'string' },
              undone: { type: 'integer' },
              result_ids: { type: 'array', items: { type: 'integer' } },
              results: shownResults(`The restored results (the first ${SHOWN}).`),
            },
          },
          ...RESULT_ERRORS,
          409: { ...CONFLICT, description: 'Nothing to undo, or not the latest decision' },
        },
      },
    },
    async (request) => {
      const job = await jobOf(request, request.params.id);
      const { restored, ...undone } = await undoLatestBatch(db, job.id, request.body?.batch_id);
      // The results as they are again, so the page on screen follows without a reload.
      return { ...undone, results: restored.slice(0, SHOWN).map(toResultView) };
    },
  );
}

const DECISIONS_RESPONSE = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          batch_id: { type: 'string' },
          result_id: { type: 'integer' },
          code: { type: 'string' },
          marketplace: { type: 'string' },
          action: { type: 'string' },
          asin: { type: ['string', 'null'] },
          previous_asin: { type: ['string', 'null'] },
          decided_by: { type: 'string' },
          created_at: { type: 'string' },
          undone_at: { type: ['string', 'null'] },
        },
      },
    },
    next_before: { type: ['integer', 'null'] },
  },
};
