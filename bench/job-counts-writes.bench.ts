/**
 * What the counts kept per job (migration 0016, issue 14) cost a write: the same writes with the
 * triggers that keep them and with those triggers dropped, alternating, in the same run, on SQLite
 * (row triggers) and PostgreSQL (statement triggers over transition tables):
 *   - `createJob` of BENCH_CODES codes (ingestion: one bulk insert of units after another);
 *   - the worker's result path: claim BENCH_BATCH units, store their results (`storeBatch`),
 *     over BENCH_RESULTS units — found, to review, not found, errors in turn.
 * Each figure is the median of BENCH_REPEAT runs, each in a fresh database.
 *
 * Run: node --import tsx bench/job-counts-writes.bench.ts
 * (BENCH_CODES=100000 BENCH_RESULTS=5000 BENCH_BATCH=50 BENCH_REPEAT=3 BENCH_DATABASES=sqlite,postgres)
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { dropJobCountTriggers } from '../src/db/migrations/0016-job-counts.js';
import { claimUnits } from '../src/db/work-queue.js';
import { createJob } from '../src/jobs/create-job.js';
import { createJobLogWriter } from '../src/jobs/job-log.js';
import { storeBatch, type BatchEntry } from '../src/jobs/store-outcome.js';
import type { LookupResult } from '../src/jobs/unit-lookup.js';
import { createLogger } from '../src/logging/logger.js';
import { openBenchDatabases, type BenchDatabaseKind } from './helpers/bench-database.js';
import { eans, median } from './helpers/large-job.js';

const CODES = Number(process.env.BENCH_CODES ?? 100_000);
const RESULTS = Number(process.env.BENCH_RESULTS ?? 5_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(
  ',',
) as BenchDatabaseKind[];
const logger = createLogger({ level: 'error' });

const OUTCOMES: Omit<LookupResult, 'request_id'>[] = [
  {
    status: 'found',
    asin: 'B0EXACT001',
    proposed_asin: null,
    match_type: 'exact',
    confidence: 0.97,
    reasons: ['ean_listed'],
    candidates: [],
    product: {
      title: 'Chocolat',
      images: ['https://m.media-amazon.com/a.jpg'],
      price: 7.5,
    } as never,
  },
  {
    status: 'to_review',
    asin: null,
    proposed_asin: 'B0PROPOSE1',
    match_type: 'fuzzy',
    confidence: 0.55,
    reasons: ['title_similarity:0.55'],
    candidates: [],
    product: null,
  },
  {
    status: 'not_found',
    asin: null,
    proposed_asin: null,
    match_type: 'none',
    confidence: 0,
    reasons: [],
    candidates: [],
    product: null,
  },
];

function entry(unit: BatchEntry['unit'], i: number): BatchEntry {
  if (i % 4 === 3)
    return {
      unit,
      error: {
        code: 'invalid_data',
        retryable: false,
        retryAfterMs: null,
        message: 'refused',
        providerUnusable: false,
        pauseMessage: null,
      },
    };
  return { unit, result: { ...OUTCOMES[i % 4]!, request_id: null } };
}

/** createJob time, then the worker path's time, for one fresh database. */
async function run(database: Database, withCounts: boolean) {
  await migrateToLatest(database);
  if (!withCounts) await dropJobCountTriggers(database.db as never, database.dialect.kind);
  const ctx = {
    database,
    logger,
    createJobLog: createJobLogWriter(database.db, logger),
    quotaTps: 1,
  };
  const options = { name: 'Bench', marketplaces: ['fr'], auto_start: false };
  let start = performance.now();
  await createJob(ctx, { owner: 'bench', options, codes: eans(CODES) });
  const createMs = performance.now() - start;
  const small = await createJob(ctx, { owner: 'bench', options, codes: eans(RESULTS, CODES) });
  start = performance.now();
  for (let done = 0; done < RESULTS;) {
    const units = await claimUnits(database, {
      jobId: small.id,
      workerId: 'w',
      limit: BATCH,
      leaseMs: 60_000,
    });
    if (units.length === 0) break;
    await storeBatch(
      database,
      'w',
      units.map((u, i) => entry(u, done + i)),
      { maxAttempts: 1, backoffMs: () => 1000, processingMs: 1 },
    );
    done += units.length;
  }
  return { createMs, resultsMs: performance.now() - start };
}

const loadBefore = loadavg();
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
for (const kind of DATABASES) {
  const servers = await openBenchDatabases(kind);
  const times = { with: [] as { createMs: number; resultsMs: number }[] };
  const without: { createMs: number; resultsMs: number }[] = [];
  try {
    for (let r = 0; r < REPEAT; r++) {
      for (const withCounts of r % 2 === 0 ? [true, false] : [false, true]) {
        const fresh = await servers.fresh();
        const database = openDatabase(fresh.url);
        try {
          const figures = await run(database, withCounts);
          (withCounts ? times.with : without).push(figures);
        } finally {
          await database.close();
          await fresh.drop();
        }
      }
    }
  } finally {
    await servers.stop();
  }
  const row = (name: string, key: 'createMs' | 'resultsMs') => {
    const a = median(without.map((f) => f[key]));
    const b = median(times.with.map((f) => f[key]));
    console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)} |`);
  };
  console.log(`\n${servers.label}\n`);
  console.log('| write | without kept counts (ms) | with (ms) | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  row(`createJob of ${CODES.toLocaleString('en')} codes`, 'createMs');
  row(
    `worker: claim + store ${RESULTS.toLocaleString('en')} results, ${BATCH} a batch`,
    'resultsMs',
  );
}
console.log(
  `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} after. Medians of ${REPEAT} runs each, alternating.`,
);
