import type { Kysely, Transaction } from 'kysely';
import { fromJson } from '../../db/dialect.js';
import type { DB } from '../../db/schema.js';
import { HttpError } from '../http-error.js';
import { applyDecisions, proposalOf, type ResultState, type Unit } from './review-decisions.js';

/** Which other results a decision can be repeated on (OpenRefine's "match all identical cells"). */
export type SimilarScope = 'same_code' | 'same_listing';
export const SIMILAR_SCOPES: readonly SimilarScope[] = ['same_code', 'same_listing'];

/** How many examples of each scope the decision's answer names (the UI lists them). */
const EXAMPLES = 5;
/** One repeat covers at most this many results, like a bulk decision. */
const SIMILAR_LIMIT = 10_000;

interface SimilarRef {
  id: number;
  code: string;
  marketplace: string;
}

/** What repeating a decision would change: per scope, how many results and the first few. */
export interface SimilarSummary {
  /** The ASIN the decision set (null: no match). */
  asin: string | null;
  /** The listing the decision was about: the chosen ASIN, or the proposal it turned down. */
  listing: string | null;
  same_code: { count: number; examples: SimilarRef[] };
  same_listing: { count: number; examples: SimilarRef[] };
}

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Results of the job a person has not decided, other than `decided`, that the same decision
 * fits: `same_code` — the same GTIN on the job's other marketplaces (a choice: not already that
 * ASIN; a no match: where the turned-down listing is proposed or found);
 * `same_listing` — other codes still waiting for a person whose proposal is `listing` (e.g. one
 * ASIN proposed for every pack size of a family).
 */
/** The job a decision belongs to: its id and the marketplaces its units are on. */
type JobKey = { id: string; marketplaces: readonly string[] };

function similarQuery(
  db: Db,
  job: JobKey,
  decided: Unit,
  listing: string | null,
  scope: SimilarScope,
) {
  let q = db
    .selectFrom('code2asin_results')
    .where('job_id', '=', job.id)
    .where('id', '<>', decided.id)
    .where((eb) => eb.or([eb('match_type', 'is', null), eb('match_type', '<>', 'manual')]));
  if (scope === 'same_code') {
    q = q
      // The job's marketplaces named, so the unique (job, marketplace, GTIN) index finds the
      // code's units; by job and GTIN alone SQLite scanned every unit of the job, on every
      // decision (a 100,000-result job: bench/web-review-large.bench.ts).
      .where('marketplace', 'in', job.marketplaces)
      .where('gtin', '=', decided.gtin)
      .where('status', 'in', ['found', 'to_review', 'not_found']);
    if (decided.asin !== null) {
      const asin = decided.asin;
      return q.where((eb) => eb.or([eb('asin', 'is', null), eb('asin', '<>', asin)]));
    }
    // A no match turns down one listing: elsewhere it applies where that listing is proposed
    // or was found, never to another listing of the same code.
    const turnedDown = listing ?? '';
    return q.where((eb) =>
      eb.or([eb('proposed_asin', '=', turnedDown), eb('asin', '=', turnedDown)]),
    );
  }
  // No listing (a no-match on a result without any proposal): nothing shares it.
  return q
    .where('gtin', '<>', decided.gtin)
    .where('status', '=', 'to_review')
    .where('proposed_asin', '=', listing ?? '');
}

/** The listing a decision on `before` (the result as it was) was about. */
export function listingOf(before: Unit, decidedAsin: string | null): string | null {
  return decidedAsin ?? proposalOf(before);
}

/** Counts and examples of both scopes, for the answer of a decision. */
export async function summarizeSimilar(
  db: Db,
  job: JobKey,
  decided: Unit,
  listing: string | null,
): Promise<SimilarSummary> {
  const scope = async (s: SimilarScope) => {
    const q = similarQuery(db, job, decided, listing, s);
    const [count, examples] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      q.select(['id', 'code', 'marketplace']).orderBy('id').limit(EXAMPLES).execute(),
    ]);
    return { count: Number(count?.n ?? 0), examples };
  };
  return {
    asin: decided.asin,
    listing,
    same_code: await scope('same_code'),
    same_listing: await scope('same_listing'),
  };
}

/**
 * Repeats the latest decision on `resultId` on the similar results of `scopes`, in the caller's
 * transaction, as one batch (one undo step). The count the user confirmed must still hold.
 */
export async function repeatDecision(
  trx: Transaction<DB>,
  job: JobKey & { owner: string },
  input: {
    resultId: number;
    scopes: readonly SimilarScope[];
    expected: number;
    remember: boolean;
    decidedBy: string;
  },
): Promise<{ batchId: string | null; decided: number; units: Unit[] }> {
  const decided = await trx
    .selectFrom('code2asin_results')
    .selectAll()
    .where('id', '=', input.resultId)
    .where('job_id', '=', job.id)
    .executeTakeFirst();
  const latest = decided
    ? await trx
        .selectFrom('code2asin_decisions')
        .select('before')
        .where('job_id', '=', job.id)
        .where('result_id', '=', decided.id)
        .where('undone_at', 'is', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined;
  if (!decided || decided.match_type !== 'manual' || !latest) {
    throw new HttpError(
      409,
      'not_decided',
      `Result ${input.resultId} has no decision to repeat: decide it first.`,
      { result_id: input.resultId },
    );
  }
  const before = { ...decided, ...fromJson<ResultState>(latest.before) } as Unit;
  const listing = listingOf(before, decided.asin);
  const seen = new Set<number>();
  const units: Unit[] = [];
  for (const scope of input.scopes) {
    const rows = await similarQuery(trx, job, decided, listing, scope)
      .selectAll()
      .orderBy('id')
      .limit(SIMILAR_LIMIT + 1)
      .execute();
    for (const row of rows) if (!seen.has(row.id) && seen.add(row.id)) units.push(row);
  }
  if (units.length !== input.expected) {
    throw new HttpError(
      409,
      'count_changed',
      `The same decision now fits ${units.length} results, not ${input.expected}: confirm again.`,
      { count: units.length, expected_count: input.expected },
    );
  }
  if (units.length === 0) return { batchId: null, decided: 0, units: [] };
  const action = decided.asin ? ('asin' as const) : ('no_match' as const);
  const applied = await applyDecisions(
    trx,
    job,
    units.map((unit) => ({ unit, action, asin: decided.asin })),
    { remember: input.remember, decidedBy: input.decidedBy },
  );
  return { batchId: applied.batchId, decided: units.length, units: applied.units };
}
