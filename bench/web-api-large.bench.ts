/**
 * The server's side of the web UI on a large job (issue 14): the time of each call the job page
 * and the review queue make, on a job of 100,000 results against the same job with 1,000, both in
 * one database (SQLite, then PostgreSQL), seeded like bench/web-review-large.bench.ts (75 % exact
 * and 5 % fuzzy found with product data, 10 % to review with three candidates, 10 % not found).
 * Calls go through `fetch` to `serve` on loopback (no worker). Each figure is the median of
 * BENCH_REPEAT calls; decisions alternate with their undo so the queue stays the same.
 * On PostgreSQL the table is vacuumed and analysed after seeding (what autovacuum does soon after
 * a bulk write; without it every index-only scan reads the table too).
 *
 * Run: node --import tsx bench/web-api-large.bench.ts
 * (BENCH_SIZES=1000,100000 BENCH_REPEAT=15 BENCH_DATABASES=sqlite,postgres)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/env.js';
import { toJson } from '../src/db/dialect.js';
import { findTokenByValue } from '../src/http/auth/token-repository.js';
import { startServer, type RunningServer } from '../src/http/server.js';
import { createJob } from '../src/jobs/create-job.js';
import { createJobLogWriter } from '../src/jobs/job-log.js';
import { recountJob } from '../src/jobs/recount-job.js';
import { createLogger } from '../src/logging/logger.js';
// @ts-expect-error plain ESM helper without types
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';

const TOKEN = `c2a_bench_${'5'.repeat(40)}`;
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 15);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
const logger = createLogger({ level: 'error' });

/** `n` distinct valid EAN-13 codes (check digit computed), after `offset`. */
function eans(n: number, offset: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const body = `400${String(offset + i).padStart(9, '0')}`;
    const sum = [...body].reduce((s, d, k) => s + Number(d) * (k % 2 ? 3 : 1), 0);
    return `${body}${(10 - (sum % 10)) % 10}`;
  });
}

const CANDIDATES = toJson(
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
const PRODUCT = toJson({
  title: 'Chocolat noir 70 % cacao, tablette de 100 g, lot de 3',
  brand: 'Marque',
  images: ['https://m.media-amazon.com/images/I/example.jpg'],
  price: 7.49,
  currency: 'EUR',
  external_ids: { ean: ['4000000000000'] },
});

/** A finished job of `size` results, as the matcher leaves them; returns its id. */
async function seedJob(server: RunningServer, size: number, offset: number): Promise<string> {
  const { database } = server;
  const db = database.db;
  const owner = (await findTokenByValue(db, TOKEN))!.owner;
  const ctx = { database, logger, createJobLog: createJobLogWriter(db, logger), quotaTps: 1 };
  const job = await createJob(ctx, {
    owner,
    options: { name: `Fournisseur ${size}`, marketplaces: ['fr'], auto_start: false },
    codes: eans(size, offset),
  });
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
  return job.id;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function call(server: RunningServer, path: string, body?: object) {
  const start = performance.now();
  const res = await fetch(`${server.url}/api/v1/code2asin${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
  return { ms: performance.now() - start, json: JSON.parse(text) as Record<string, unknown> };
}

/** Median server time of each call the job page and the review queue make, for one job. */
async function callTimes(server: RunningServer, jobId: string, size: number) {
  const job = `/jobs/${jobId}`;
  const mid = Math.floor(size / 2);
  const reads: Record<string, string> = {
    'jobs list': '/jobs?per_page=20',
    'job page: GET /jobs/{id} (tiles)': job,
    'job page: progress chart': `${job}/progress`,
    'job page: first results page': `${job}/results?per_page=25`,
    'queue: first page': `${job}/results?review=true&per_page=25`,
    'queue: a page in the middle': `${job}/results?review=true&per_page=25&after=${mid}`,
    'queue: match type exact (none left)': `${job}/results?review=true&per_page=25&match_type=exact`,
    'queue: status to_review': `${job}/results?review=true&per_page=25&status=to_review`,
    'queue: confidence 0.5–0.69': `${job}/results?review=true&per_page=25&min_confidence=0.5&max_confidence=0.69`,
    'queue: search': `${job}/results?review=true&per_page=25&search=40000000`,
    'queue: decision history': `${job}/decisions`,
  };
  const figures: Record<string, number> = {};
  for (const [name, path] of Object.entries(reads)) {
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i += 1) times.push((await call(server, path)).ms);
    figures[name] = median(times);
  }
  const queue = (await call(server, `${job}/results?review=true&per_page=${REPEAT}`)).json
    .items as { id: number }[];
  const decide: number[] = [];
  const undo: number[] = [];
  for (const item of queue) {
    decide.push(
      (await call(server, `${job}/decisions`, { result_id: item.id, action: 'accept' })).ms,
    );
    undo.push((await call(server, `${job}/decisions/undo`, {})).ms);
  }
  figures['queue: decision by A'] = median(decide);
  figures['queue: undo'] = median(undo);
  return figures;
}

async function measure(kind: string): Promise<Record<string, number>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-web-api-bench-'));
  const pg =
    kind === 'postgres'
      ? ((await startEmbeddedPostgres()) as { url: string; stop(): Promise<void> })
      : null;
  const config = loadConfig({
    DATABASE_URL: pg ? pg.url : `sqlite:${join(dir, 'bench.db')}`,
    CODE2ASIN_WORKER: 'off',
    CODE2ASIN_ADMIN_TOKEN: TOKEN,
    CODE2ASIN_LOG_LEVEL: 'error',
  });
  const server = await startServer({ config, logger, port: 0, host: '127.0.0.1', print: () => {} });
  try {
    const jobs: string[] = [];
    let offset = 0;
    const seeding: number[] = [];
    for (const size of SIZES) {
      const start = performance.now();
      jobs.push(await seedJob(server, size, offset));
      seeding.push(performance.now() - start);
      offset += size;
    }
    if (pg) await sql`vacuum analyze code2asin_results`.execute(server.database.db);
    // One pass first, not counted: the first calls of a process warm its code and caches.
    for (const id of jobs) await call(server, `/jobs/${id}/results?review=true&per_page=25`);
    for (const id of jobs) await call(server, `/jobs/${id}`);
    const out: Record<string, number>[] = [];
    for (const [i, size] of SIZES.entries())
      out.push({
        ...(await callTimes(server, jobs[i]!, size)),
        'seeding (not a UI figure)': seeding[i]!,
      });
    return out;
  } finally {
    await server.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadBefore = loadavg();
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const [base, large] = [SIZES[0]!, SIZES.at(-1)!];
for (const kind of DATABASES) {
  const results = await measure(kind);
  console.log(`\n${kind}\n`);
  console.log(
    `| call | ${base.toLocaleString('en')} results (ms) | ${large.toLocaleString('en')} results (ms) | ratio |`,
  );
  console.log('| --- | ---: | ---: | ---: |');
  for (const name of Object.keys(results[0]!)) {
    const x = results[0]![name]!;
    const y = results.at(-1)![name]!;
    console.log(`| ${name} | ${fmt(x)} | ${fmt(y)} | ${(y / x).toFixed(2)} |`);
  }
}
console.log(
  `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} after. Medians of ${REPEAT} calls.`,
);
