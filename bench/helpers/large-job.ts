/**
 * A finished job of any size as the matcher leaves it, for the web UI benches
 * (web-review-large, web-api-large): `createJob` with the codes, then the outcomes — 75 % exact
 * and 5 % fuzzy found (both with product data), 10 % to review with three candidates, 10 % not
 * found — written by four bulk statements, on SQLite or PostgreSQL.
 */
import { sql } from 'kysely';
import { toJson } from '../../src/db/dialect.js';
import { findTokenByValue } from '../../src/http/auth/token-repository.js';
import type { RunningServer } from '../../src/http/server.js';
import { createJob } from '../../src/jobs/create-job.js';
import { createJobLogWriter } from '../../src/jobs/job-log.js';
import { recountJob } from '../../src/jobs/recount-job.js';
import type { Logger } from '../../src/logging/logger.js';

/** `n` distinct valid EAN-13 codes (check digit computed), after `offset`. */
export function eans(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => {
    const body = `400${String(offset + i).padStart(9, '0')}`;
    const sum = [...body].reduce((s, d, k) => s + Number(d) * (k % 2 ? 3 : 1), 0);
    return `${body}${(10 - (sum % 10)) % 10}`;
  });
}

export const CANDIDATES = toJson(
  [1, 2, 3].map((rank) => ({
    asin: `B0CANDID0${rank}`,
    title: `Article candidat ${rank}`,
    brand: 'Marque',
    match_type: 'fuzzy',
    confidence: 0.62 - rank / 100,
    reasons: ['title_similarity:0.61'],
    rejected: false,
    rank,
  })),
);

/** A found product as the providers describe it (its JSON is what the tiles and files read). */
export const PRODUCT = toJson({
  title: 'Chocolat noir 70 % cacao, tablette de 100 g, lot de 3',
  brand: 'Marque',
  images: ['https://m.media-amazon.com/images/I/example.jpg'],
  price: 7.49,
  currency: 'EUR',
  external_ids: { ean: ['4000000000000'] },
  features: ['Cacao équitable', 'Sans huile de palme', 'Recyclable'],
});

export interface SeededJob {
  id: string;
  /** Time of `createJob` (the codes' ingestion), then of the four outcome statements. */
  createMs: number;
  outcomesMs: number;
}

/** A finished job of `size` results owned by `token`'s owner, codes from `offset`. */
export async function seedLargeJob(
  server: RunningServer,
  opts: { token: string; size: number; offset?: number; logger: Logger },
): Promise<SeededJob> {
  const { database } = server;
  const db = database.db;
  const owner = (await findTokenByValue(db, opts.token))!.owner;
  const ctx = {
    database,
    logger: opts.logger,
    createJobLog: createJobLogWriter(db, opts.logger),
    quotaTps: 1,
  };
  const started = performance.now();
  const job = await createJob(ctx, {
    owner,
    options: { name: `Fournisseur ${opts.size}`, marketplaces: ['fr'], auto_start: false },
    codes: eans(opts.size, opts.offset ?? 0),
  });
  const created = performance.now();
  const where = (mod: string) => sql`job_id = ${job.id} and ${sql.raw(mod)}`;
  const asin = (prefix: string) =>
    database.dialect.kind === 'postgres'
      ? sql.raw(`'${prefix}' || lpad(id::text, 8, '0')`)
      : sql.raw(`printf('${prefix}%08d', id)`);
  await sql`update code2asin_results set status = 'found', match_type = 'exact', confidence = 0.97,
    source = 'api', asin = ${asin('B0')}, reasons = ${toJson(['ean_listed'])},
    product = ${PRODUCT} where ${where('id % 20 < 15')}`.execute(db);
  await sql`update code2asin_results set status = 'found', match_type = 'fuzzy', confidence = 0.75,
    source = 'api', asin = ${asin('B1')}, reasons = ${toJson(['title_similarity:0.8'])},
    candidates = ${CANDIDATES}, product = ${PRODUCT} where ${where('id % 20 = 15')}`.execute(db);
  await sql`update code2asin_results set status = 'to_review', match_type = 'fuzzy',
    confidence = 0.6, source = 'api', proposed_asin = 'B0CANDID01',
    reasons = ${toJson(['title_similarity:0.61'])}, candidates = ${CANDIDATES}
    where ${where('id % 20 in (16, 17)')}`.execute(db);
  await sql`update code2asin_results set status = 'not_found', source = 'api', match_type = 'none'
    where ${where('id % 20 > 17')}`.execute(db);
  await db
    .updateTable('code2asin_jobs')
    .set({ status: 'completed', completed_at: new Date().toISOString() })
    .where('id', '=', job.id)
    .execute();
  await recountJob(db, job.id);
  return { id: job.id, createMs: created - started, outcomesMs: performance.now() - created };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
