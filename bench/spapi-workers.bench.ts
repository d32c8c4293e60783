/**
 * Worker processes on PostgreSQL sharing one SP-API credential (issue 15): the same 10,000-code
 * file (codes answered on one page) as bench/spapi-throughput.bench.ts, run as one job by one
 * `code2asin worker`, then by two, each case on a fresh database and a fresh emulator (its own
 * process, SP-API at its published 2 requests/s burst 2, 20 codes per request, 200 ms ± 20 %
 * latency). The baseline is the one-worker case of the same run: two workers must reach the same
 * share of 40 codes/s (the credential's quota is the bottleneck, not the worker), with no 429 and
 * one result per code.
 * Run: node --import tsx bench/spapi-workers.bench.ts   Env: BENCH_SPAPI_CODES (10000),
 * TEST_DATABASE_URL (else an embedded PostgreSQL), BENCH_WORKER_LOGS (a folder for worker logs).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { batchKeyOf } from '../src/amazon/spapi/spapi-identifiers.js';
import { generateCatalog } from '../src/emulator/index.js';
import { createJob } from '../src/jobs/create-job.js';
import { getJob } from '../src/jobs/jobs-repository.js';
import { openBenchDatabases } from './helpers/bench-database.js';
import { startEmulatorProcess, type EmulatorProcess } from './helpers/emulator-process.js';
import { openBenchJobs } from './helpers/jobs-context.js';
import { operationOf, type OperationSnapshot } from './helpers/map-run.js';
import { spapiFileCodes } from './helpers/spapi-file.js';
import { startWorker, stopWorker } from './helpers/worker-process.js';

const CODES = Number(process.env.BENCH_SPAPI_CODES ?? 10_000);
const SEED = 15;
const LATENCY_MS = 200;
const SPAPI = { tps: 2, perRequest: 20 };
const HERE = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CaseResult {
  workers: number;
  requests: number;
  throttled: number;
  /** Answered searches per second between the first and the last search (emulator's clock). */
  requestRate: number;
  codesRate: number;
  wallSeconds: number;
  /** Result rows, distinct codes among them, and codes done. */
  rows: number;
  distinct: number;
  done: number;
  /** Workers seen holding units of the job. */
  claimers: number;
  minimalRequests: number;
}

/** ⌈codes / 20⌉ per SP-API identifier type: the fewest requests the file needs. */
function minimalRequests(codes: string[]): number {
  const perType = new Map<string, number>();
  for (const c of codes) perType.set(batchKeyOf(c), (perType.get(batchKeyOf(c)) ?? 0) + 1);
  return [...perType.values()].reduce((n, c) => n + Math.ceil(c / SPAPI.perRequest), 0);
}

async function runCase(emu: EmulatorProcess, url: string, workers: number, codes: string[]) {
  const credential = emu.env.AMAZON_SPAPI_CLIENT_ID as string;
  const ctx = await openBenchJobs(url, SPAPI.tps);
  const children: ChildProcess[] = [];
  try {
    const env = {
      ...emu.env,
      AMAZON_PROVIDER: 'spapi',
      DATABASE_URL: url,
      CODE2ASIN_SECRET_KEY: 'ef'.repeat(32),
      CODE2ASIN_LOG_LEVEL: process.env.BENCH_WORKER_LOG_LEVEL ?? 'info',
    };
    children.push(
      ...(await Promise.all(Array.from({ length: workers }, () => startWorker(HERE, env)))),
    );
    const before = operationOf(await emu.stats(), credential, 'searchCatalogItems');
    const t0 = performance.now();
    const job = await createJob(ctx, {
      owner: 'bench',
      options: { name: `SP-API, ${workers} worker(s)`, marketplaces: ['fr'] },
      codes,
    });
    let first: OperationSnapshot | null = null;
    const claimers = new Set<string>();
    for (;;) {
      const status = (await getJob(ctx.database.db, job.id)).status;
      if (status !== 'processing' && status !== 'pending') break;
      if (!first) {
        const seen = operationOf(await emu.stats(), credential, 'searchCatalogItems');
        if (seen.requests > before.requests) first = seen;
      }
      const held = await ctx.database.db
        .selectFrom('code2asin_results')
        .select('claimed_by')
        .distinct()
        .where('job_id', '=', job.id)
        .where('claimed_by', 'is not', null)
        .execute();
      for (const r of held) claimers.add(r.claimed_by as string);
      await sleep(200);
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const last = operationOf(await emu.stats(), credential, 'searchCatalogItems');
    const ended = await getJob(ctx.database.db, job.id);
    if (ended.status !== 'completed') throw new Error(`job ended ${ended.status}`);
    const counted = await ctx.database.db
      .selectFrom('code2asin_results')
      .select((eb) => [
        eb.fn.countAll<number>().as('rows'),
        eb.fn.count<number>('code').distinct().as('distinct'),
      ])
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    const start = first ?? before;
    const span = ((last.lastArrivalMs ?? 0) - (start.lastArrivalMs ?? 0)) / 1000;
    const throttled = last.throttled - before.throttled;
    const requests = last.requests - before.requests;
    const requestRate = span > 0 ? (last.requests - start.requests) / span : 0;
    return {
      workers,
      requests,
      throttled,
      requestRate,
      codesRate: requestRate * (ended.counters.done / Math.max(1, requests - throttled)),
      wallSeconds,
      rows: Number(counted.rows),
      distinct: Number(counted.distinct),
      done: ended.counters.done,
      claimers: claimers.size,
      minimalRequests: minimalRequests(codes),
    } satisfies CaseResult;
  } finally {
    await Promise.all(children.map(stopWorker));
    await ctx.database.close();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function row(r: CaseResult, base: CaseResult): string {
  return `| ${r.workers} | ${r.done} | ${r.requests} (fewest possible ${r.minimalRequests}) | ${r.throttled} | ${r.requestRate.toFixed(3)} | ${r.codesRate.toFixed(2)} | ${pct(r.codesRate / (SPAPI.tps * SPAPI.perRequest))} | ${(r.codesRate / base.codesRate).toFixed(3)} | ${r.wallSeconds.toFixed(1)} | ${r.rows} rows, ${r.distinct} distinct codes | ${r.claimers} |`;
}

async function main(): Promise<void> {
  const loads = [loadavg()];
  const catalog = generateCatalog(Math.ceil(CODES * 1.7), SEED);
  const codes = spapiFileCodes(catalog, CODES, SEED).onePage.map((t) => t.code);
  const databases = await openBenchDatabases('postgres');
  const results: CaseResult[] = [];
  try {
    for (const workers of [1, 2]) {
      const emu = await startEmulatorProcess(catalog, { latencyMs: LATENCY_MS });
      const db = await databases.fresh();
      try {
        const r = await runCase(emu, db.url, workers, codes);
        process.stderr.write(`${JSON.stringify(r)}\n`);
        results.push(r);
      } finally {
        await emu.close();
        await db.drop();
      }
      loads.push(loadavg());
    }
  } finally {
    await databases.stop();
  }
  const [one, two] = results as [CaseResult, CaseResult];
  const l1 = loads.map((l) => l[0] ?? 0);
  const md = `## SP-API: two workers on PostgreSQL sharing one credential (issue 15)

One job of ${CODES.toLocaleString('en')} codes (the one-page file of the SP-API throughput section: \`generateCatalog(${Math.ceil(CODES * 1.7)}, ${SEED})\`,
shuffled, code types interleaved), run by \`code2asin worker\` processes on one PostgreSQL (${databases.label}), the emulator in its own
process at SP-API's published quota (2 requests/s, burst 2, 20 codes per request, ${LATENCY_MS} ms ± 20 % latency). Each case on a fresh
database and emulator; the baseline is the one-worker case of the same run. Requests, 429s and arrival times as the emulator counts them;
request rate between the first and the last search; codes/s = request rate × codes done per answered request.

| workers | codes done | searches | 429s | requests/s | codes/s | share of 40 codes/s | ratio to 1 worker | wall time (s) | results | workers holding units |
|---|---|---|---|---|---|---|---|---|---|---|
${row(one, one)}
${row(two, one)}

Two workers share the credential's one schedule in the database: together they keep ${pct(two.codesRate / (SPAPI.tps * SPAPI.perRequest))} of 40 codes/s
(one worker alone: ${pct(one.codesRate / (SPAPI.tps * SPAPI.perRequest))}), ${two.throttled} × 429, and each code has ${two.rows === two.distinct && two.rows === CODES ? 'exactly one result' : `**${two.rows} rows for ${two.distinct} codes**`}.
Searches beyond the fewest possible carry fewer than 20 codes: a lane sends the codes of a type it holds when no more
come (the job's end), and each worker has its own lanes.

Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; load average (1 min) ${Math.min(...l1).toFixed(2)}–${Math.max(...l1).toFixed(2)}${Math.max(...l1) > 2 ? ' — **measured under load**' : ''}.
Command: \`node --import tsx bench/spapi-workers.bench.ts\`${CODES !== 10_000 ? ` (BENCH_SPAPI_CODES=${CODES})` : ''}.
`;
  if (CODES === 10_000) {
    mkdirSync('docs/benchmarks', { recursive: true });
    writeFileSync('docs/benchmarks/spapi-workers.md', md);
  }
  process.stdout.write(md);
}

await main();
