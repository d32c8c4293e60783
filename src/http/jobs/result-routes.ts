import type { FastifyInstance } from 'fastify';
import { findMarketplace } from '../../amazon/marketplaces.js';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { HttpError } from '../http-error.js';
import { TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';
import { chooseResult } from './manual-choice.js';
import {
  CHOICE_BODY,
  CHOICE_RESPONSE,
  RESULT_ERRORS,
  RESULT_PARAMS,
  RESULTS_QUERY,
  RESULTS_RESPONSE,
} from './result-schemas.js';
import { listResults, toResultView, type ResultFilters } from './results-query.js';
import { JOB_PARAMS } from './job-schemas.js';

type ResultsRequest = {
  Params: { id: string };
  Querystring: Omit<ResultFilters, 'marketplace'> & { marketplace?: string };
};
type ChoiceRequest = {
  Params: { id: string; resultId: number };
  Body: { asin: string | null; remember?: boolean };
};

/** The domain of a marketplace given as domain or country code; a 400 naming the field. */
export function marketplaceDomain(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = findMarketplace(raw.trim());
  if (!m) {
    throw new HttpError(
      400,
      'invalid_marketplace',
      `Unknown marketplace "${raw}": use a domain like www.amazon.fr or a country code like fr.`,
      {
        field: 'marketplace',
      },
    );
  }
  return m.domain;
}

/** `GET /jobs/{id}/results` and `PATCH /jobs/{id}/results/{resultId}`. */
export function registerResultRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;

  app.get<ResultsRequest>(
    '/jobs/:id/results',
    {
      schema: {
        tags: TAGS,
        summary:
          "A job's results: filter by status, match type, confidence, marketplace; search code or ASIN",
        params: JOB_PARAMS,
        querystring: RESULTS_QUERY,
        response: { 200: RESULTS_RESPONSE, ...RESULT_ERRORS },
      },
    },
    async (request) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      const q = request.query;
      if (
        q.min_confidence !== undefined &&
        q.max_confidence !== undefined &&
        q.min_confidence > q.max_confidence
      ) {
        throw new HttpError(
          400,
          'validation_failed',
          'Invalid request: querystring "min_confidence" is above max_confidence.',
          {
            field: 'min_confidence',
          },
        );
      }
      const p = job.preflight;
      return listResults(
        db,
        job.id,
        {
          ...q,
          marketplace: marketplaceDomain(q.marketplace),
          search: q.search?.trim() || undefined,
        },
        p ? p.distinct_codes * Math.max(p.marketplaces.length, 1) : null,
      );
    },
  );

  app.patch<ChoiceRequest>(
    '/jobs/:id/results/:resultId',
    {
      schema: {
        tags: TAGS,
        summary: 'Choose the ASIN of a result (a candidate or any ASIN), or no match',
        description:
          "A review decision like `POST /jobs/{id}/decisions`: the result becomes `manual` (confidence 1, reason `manual_choice`) and the job counters follow; the choice is in the job's history (`GET /jobs/{id}/decisions`, with who made it) and `POST /jobs/{id}/decisions/undo` takes it back, rule included (`batch_id` names it). Unless `remember` is false, a matching rule is stored for the job owner: `always` for the chosen ASIN; `never` for the previous (or proposed) ASIN when choosing no match. The cache of Amazon answers is left as it is.",
        params: RESULT_PARAMS,
        body: CHOICE_BODY,
        response: {
          200: CHOICE_RESPONSE,
          ...RESULT_ERRORS,
          409: { ...RESULT_ERRORS[400], description: 'The result changed meanwhile; send again' },
        },
      },
    },
    async (request) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      const { batchId, result, rules } = await chooseResult(
        deps.jobs,
        job,
        request.params.resultId,
        {
          asin: request.body.asin,
          remember: request.body.remember !== false,
          decidedBy: requireAuth(request).owner,
        },
      );
      return { batch_id: batchId, result: toResultView(result), rules };
    },
  );
}
