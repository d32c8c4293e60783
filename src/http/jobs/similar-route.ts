import type { FastifyInstance } from 'fastify';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { JOB_PARAMS, TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';
import { RESULT_ERRORS, RESULT_SCHEMA } from './result-schemas.js';
import { toResultView } from './results-query.js';
import { repeatDecision, SIMILAR_SCOPES, type SimilarScope } from './similar-decisions.js';

/** Results a repeat or an undo answers in full: a page of the review queue holds at most 200. */
export const SHOWN = 200;

/** A bulk decision's answer: its undo step (null when nothing changed) and what it decided. */
export const DECIDED_FIELDS = {
  batch_id: { type: ['string', 'null'] },
  decided: { type: 'integer' },
};

/** The results an answer carries for the page on screen (the first {@link SHOWN}). */
export function shownResults(description: string) {
  return { type: 'array', items: RESULT_SCHEMA, description };
}

const SIMILAR_GROUP = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    examples: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          code: { type: 'string' },
          marketplace: { type: 'string' },
        },
      },
    },
  },
};

/** The `similar` part of a decision's answer. */
export const SIMILAR_SCHEMA = {
  type: 'object',
  description:
    'Undecided results the same decision fits, for `POST /jobs/{id}/decisions/similar`: `same_code` — the same code on the job’s other marketplaces; `same_listing` — other codes waiting for a person whose proposal is `listing` (the chosen ASIN, or the proposal turned down by a no match). Nothing is changed until that call.',
  properties: {
    asin: { type: ['string', 'null'] },
    listing: { type: ['string', 'null'] },
    same_code: SIMILAR_GROUP,
    same_listing: SIMILAR_GROUP,
  },
};

const BODY = {
  type: 'object',
  required: ['result_id', 'scopes', 'expected_count'],
  additionalProperties: false,
  properties: {
    result_id: { type: 'integer', minimum: 1, description: 'The result just decided.' },
    scopes: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: [...SIMILAR_SCOPES] },
    },
    expected_count: {
      type: 'integer',
      minimum: 0,
      description:
        'How many results the user confirmed (the sum of the scopes’ counts); a different count now answers 409 with the new one.',
    },
    remember: { type: 'boolean', default: false, description: 'Also store matching rules.' },
  },
  examples: [{ result_id: 42, scopes: ['same_code', 'same_listing'], expected_count: 3 }],
};

/**
 * `POST /jobs/{id}/decisions/similar`: repeats the latest decision of a result on the undecided
 * results it fits (same code elsewhere, same proposed listing), as one undo step.
 */
export function registerSimilarRoute(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;
  app.post<{
    Params: { id: string };
    Body: { result_id: number; scopes: SimilarScope[]; expected_count: number; remember?: boolean };
  }>(
    '/jobs/:id/decisions/similar',
    {
      schema: {
        tags: TAGS,
        summary: 'Repeat a decision on the other results it fits (one undo step)',
        params: JOB_PARAMS,
        body: BODY,
        response: {
          200: {
            type: 'object',
            properties: {
              ...DECIDED_FIELDS,
              results: shownResults(
                `The results as decided now (the first ${SHOWN}), for the page on screen.`,
              ),
            },
          },
          ...RESULT_ERRORS,
          409: { ...RESULT_ERRORS[400], description: 'Not decided, or the count changed' },
        },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const job = await getJob(db, request.params.id, ownerFilter(auth));
      const body = request.body;
      const done = await db.transaction().execute((trx) =>
        repeatDecision(trx, job, {
          resultId: body.result_id,
          scopes: body.scopes,
          expected: body.expected_count,
          remember: body.remember === true,
          decidedBy: auth.owner,
        }),
      );
      return {
        batch_id: done.batchId,
        decided: done.decided,
        results: done.units.slice(0, SHOWN).map(toResultView),
      };
    },
  );
}
