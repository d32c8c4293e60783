import { toJson } from '../../src/db/dialect.js';
import type { Database } from '../../src/db/database.js';

export const cand = (asin: string, confidence: number, rank: number | null = 1) => ({
  asin,
  title: `Item ${asin}`,
  brand: 'Brand',
  match_type: 'fuzzy',
  confidence,
  reasons: ['title_similar'],
  rejected: rank === null,
  rank,
});

/** Puts the job's four results in review states, as a finished matcher leaves them. */
export async function seedReviewStates(database: Database, id: string): Promise<number[]> {
  const db = database.db;
  const rows = await db
    .selectFrom('code2asin_results')
    .select('id')
    .where('job_id', '=', id)
    .orderBy('id')
    .execute();
  const states = [
    {
      status: 'found',
      asin: 'B0FUZZY001',
      match_type: 'fuzzy',
      confidence: 0.93,
      candidates: [cand('B0FUZZY001', 0.93), cand('B0FUZZY002', 0.8, 2)],
    },
    {
      status: 'found',
      asin: 'B0PART0001',
      match_type: 'partial',
      confidence: 0.6,
      candidates: [cand('B0PART0001', 0.6), cand('B0PART0002', 0.55, 2)],
    },
    {
      status: 'not_found',
      asin: null,
      match_type: 'none',
      confidence: 0,
      candidates: [cand('B0NOPE0001', 0.3, null)],
    },
    {
      status: 'found',
      asin: 'B0EXACT001',
      match_type: 'exact',
      confidence: 0.98,
      candidates: [cand('B0EXACT001', 0.98)],
    },
  ];
  for (const [i, s] of states.entries()) {
    await db
      .updateTable('code2asin_results')
      .set({ ...s, candidates: toJson(s.candidates), reasons: toJson(['seeded']), source: 'api' })
      .where('id', '=', rows[i]!.id)
      .execute();
  }
  await db
    .updateTable('code2asin_jobs')
    .set({ status: 'completed', done_count: 4, found_count: 3, not_found_count: 1 })
    .where('id', '=', id)
    .execute();
  return rows.map((r) => r.id);
}
