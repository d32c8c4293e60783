import { toJson } from '../../src/db/dialect.js';
import type { Database } from '../../src/db/database.js';

/** A result's state as a finished matcher leaves it (candidates as objects). */
export interface SeededResult {
  status: string;
  asin: string | null;
  proposed_asin?: string | null;
  match_type: string;
  confidence: number;
  candidates: object[];
}

/**
 * Writes each result's state (reasons `seeded`, source `api`) and marks the job completed with
 * `counts`, for the review tests (decisions, similar results).
 */
export async function seedFinishedJob(
  database: Database,
  jobId: string,
  states: readonly (readonly [number, SeededResult])[],
  counts: {
    done_count: number;
    found_count: number;
    not_found_count?: number;
    to_review_count?: number;
  },
): Promise<void> {
  for (const [resultId, state] of states)
    await database.db
      .updateTable('code2asin_results')
      .set({
        ...state,
        candidates: toJson(state.candidates),
        reasons: toJson(['seeded']),
        source: 'api',
      })
      .where('id', '=', resultId)
      .execute();
  await database.db
    .updateTable('code2asin_jobs')
    .set({ status: 'completed', ...counts })
    .where('id', '=', jobId)
    .execute();
}
