/**
 * The server's side of the web UI on a large job (issue 14): the time of each call the job page
 * and the review queue make, on a job of 100,000 results against the same job with 1,000, both in
 * one database (SQLite, then PostgreSQL), seeded like bench/web-review-large.bench.ts (bench/helpers/large-job.ts) (75 % exact
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
import { startServer, type RunningServer } from '../src/http/server.js';
import { createLogger } from '../src/logging/logger.js';
import { median, seedLargeJob } from './helpers/large-job.js';
// @ts-expect-error plain ESM helper without types
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';

const TOKEN = `c2a_bench_${'5'.repeat(40)}`;
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 15);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',');
const logger = createLogger({ level: 'error' });

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
    const seeding: { createMs: number; outcomesMs: number }[] = [];
    for (const size of SIZES) {
      const seeded = await seedLargeJob(server, { token: TOKEN, size, offset, logger });
      jobs.push(seeded.id);
      seeding.push(seeded);
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
        'seeding: createJob (not a UI figure)': seeding[i]!.createMs,
        'seeding: four outcome updates (not a UI figure)': seeding[i]!.outcomesMs,
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
