/**
 * Quota use of a real job (issue 6 benchmark a): 600 distinct codes to query plus invalid,
 * duplicate and already-cached codes, emulator at 10 requests/s with 100 ms latency.
 * Baseline in the same run: a naive loop (one search after another, fixed 1/TPS sleep).
 * Run: node --import tsx bench/job-quota.bench.ts [--throttle-hints]
 * (--throttle-hints: the emulator's 429s carry retryAfterSeconds, for a comparison; the default
 * answers them as the Creators SDK models them, with no hint.)
 */
import { cpus, loadavg } from 'node:os';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/env.js';
import { createAmazonClient } from '../src/amazon/client.js';
import { generateCatalog, type EmulatorStats } from '../src/emulator/index.js';
import { startEmulatorProcess } from './helpers/emulator-process.js';
import { createAmazonLookup } from '../src/jobs/amazon-lookup.js';
import { createJob } from '../src/jobs/create-job.js';
import { getJob } from '../src/jobs/jobs-repository.js';
import { createWorker } from '../src/jobs/worker.js';
import { openBenchJobs } from './helpers/jobs-context.js';

const TPS = 10;
const LATENCY = 100;
const DISTINCT = 600;
const HINTS = process.argv.includes('--throttle-hints');

function searchStats(after: EmulatorStats, before?: EmulatorStats) {
  const pick = (st: EmulatorStats | undefined) =>
    st ? Object.values(st.credentials).map((c) => c.operations.searchItems) : [];
  const sum = (
    st: EmulatorStats | undefined,
    f: (o: NonNullable<ReturnType<typeof pick>[number]>) => number,
  ) => pick(st).reduce((n, o) => n + (o ? f(o) : 0), 0);
  return {
    requests: sum(after, (o) => o.requests) - sum(before, (o) => o.requests),
    throttled: sum(after, (o) => o.status['429']) - sum(before, (o) => o.status['429']),
    maxPerSecond: Math.max(0, ...pick(after).map((o) => o?.maxPerSecond ?? 0)),
  };
}

async function main(): Promise<void> {
  const catalog = generateCatalog(1500, 11);
  const codes = [
    ...new Set((catalog.truth ?? []).filter((t) => t.case !== 'many_hits').map((t) => t.code)),
  ];
  if (codes.length < DISTINCT + 60) throw new Error(`catalog too small: ${codes.length} codes`);
  const loadBefore = loadavg();
  const emu = await startEmulatorProcess(catalog, {
    tps: TPS,
    latencyMs: LATENCY,
    throttleHints: HINTS,
  });
  const env = { ...emu.env, AMAZON_TPS: String(TPS), AMAZON_BURST: '1' };
  const settings = loadConfig(env).amazon;
  const dir = mkdtempSync(join(tmpdir(), 'c2a-bench-'));
  const ctx = await openBenchJobs(`sqlite:${join(dir, 'bench.db')}`, TPS);
  const { database } = ctx;

  // Warm the cache with 50 codes, so the job has already-known codes that must cost nothing.
  const warm = await createJob(ctx, {
    owner: 'bench',
    options: { name: 'warm', marketplaces: ['fr'] },
    codes: codes.slice(DISTINCT, DISTINCT + 50),
  });
  await runJob(ctx, settings, warm.id);

  const input = [
    ...codes.slice(0, DISTINCT),
    ...codes.slice(DISTINCT, DISTINCT + 50),
    ...codes.slice(0, 100),
    ...Array.from({ length: 50 }, (_, i) => `30176204220${String(i).padStart(2, '0')}`),
  ];
  const beforeJob = await emu.stats();
  const job = await createJob(ctx, {
    owner: 'bench',
    options: { name: 'quota', marketplaces: ['fr'] },
    codes: input,
  });
  lookupStarts.length = 0;
  sends.length = 0;
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  await runJob(ctx, settings, job.id);
  const seconds = (performance.now() - t0) / 1000;
  const gaps = sends.slice(1).map((e, i) => e.t - sends[i]!.t);
  process.stderr.write(
    `send gaps: min ${Math.min(...gaps).toFixed(1)} mean ${(gaps.reduce((a, b) => a + b, 0) / gaps.length).toFixed(1)} max ${Math.max(...gaps).toFixed(1)}; >110ms: ${gaps.filter((g) => g > 110).length}; 429 at ${sends
      .map((e, i) => (e.s === 429 ? `${i} (gap ${gaps[i - 1]?.toFixed(1)})` : ''))
      .filter(Boolean)
      .join(', ')}\n`,
  );
  h.disable();
  const g = globalThis as { idleGrants?: number; lateGrants?: number[] };
  process.stderr.write(
    `idle grants ${g.idleGrants}, late grants ${g.lateGrants?.length} sum ${g.lateGrants?.reduce((a, b) => a + b, 0).toFixed(0)} ms\n`,
  );
  process.stderr.write(
    `event loop delay: mean ${(h.mean / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms\n`,
  );
  process.stderr.write(
    `first lookup after ${(lookupStarts[0]! - t0).toFixed(0)} ms, last at ${((lookupStarts.at(-1)! - t0) / 1000).toFixed(2)} s, end ${seconds.toFixed(2)} s, lookups ${lookupStarts.length}\n`,
  );
  const done = await getJob(database.db, job.id);
  const afterJob = await emu.stats();
  const job429 = searchStats(afterJob, beforeJob);
  const jobRate = job429.requests / seconds;

  // Baseline: the naive loop over the same number of codes.
  const client = createAmazonClient(settings, {
    limiter: {
      acquire: async () => {},
      onThrottle() {},
      onSuccess() {},
      state: () => ({}) as never,
    },
  });
  const n0 = performance.now();
  for (const code of codes.slice(0, 150)) {
    await client.searchByCodes([code]);
    await new Promise((r) => setTimeout(r, 1000 / TPS));
  }
  const naiveSeconds = (performance.now() - n0) / 1000;
  const naive = searchStats(await emu.stats(), afterJob);
  const naiveRate = naive.requests / naiveSeconds;
  await emu.close();
  await database.close();

  const rows = [
    [
      'code2asin job (worker + limiter)',
      `${done.preflight?.rows} rows → ${job429.requests} requests`,
      seconds.toFixed(1),
      jobRate.toFixed(2),
      `${((jobRate / TPS) * 100).toFixed(1)} %`,
      String(job429.throttled),
      String(job429.maxPerSecond),
    ],
    [
      'naive loop (sequential, 1/TPS sleep)',
      `150 codes → ${naive.requests} requests`,
      naiveSeconds.toFixed(1),
      naiveRate.toFixed(2),
      `${((naiveRate / TPS) * 100).toFixed(1)} %`,
      String(naive.throttled),
      String(naive.maxPerSecond),
    ],
  ];
  const p = done.preflight;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const behaviour = HINTS
    ? '429s with a retry hint (`--throttle-hints`, not the default)'
    : "default (strict) behaviour: a 429 carries no retry hint (`ThrottleException` as the SDK models it), so pacing and backoff are the client's own";
  const md = `## Quota use of a real job

Emulator at ${TPS} requests/s (burst 1) with ${LATENCY} ms latency, ${behaviour}; one job of ${p?.rows} rows: ${p?.to_query} distinct codes to query, ${p?.duplicates} duplicates, ${p?.invalid} invalid codes, ${p?.already_known} codes already in the cache. Requests counted by the emulator.

| run | work | seconds | requests/s | share of the allowed rate | 429s | most requests in any 1 s |
|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

Requests for invalid, duplicate or cached codes: ${job429.requests - (p?.to_query ?? 0)} (requests beyond one per code to query; a code whose product is on page 2 of its search costs 2).
Ratio job/naive: ${(jobRate / naiveRate).toFixed(2)}×.

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}, SQLite. Load average (1 / 5 / 15 min) at start: ${load(loadBefore)}; at end: ${load(loadavg())} (the machine is shared). Command: \`node --import tsx bench/job-quota.bench.ts${HINTS ? ' --throttle-hints' : ''}\`.
`;
  mkdirSync('docs/benchmarks', { recursive: true });
  // The hinted run is a comparison only: the documented figures are the default's.
  if (!HINTS) writeFileSync('docs/benchmarks/job-quota.md', md);
  process.stdout.write(md);
}

const lookupStarts: number[] = [];
const sends: { t: number; s: number }[] = [];

async function runJob(
  ctx: Parameters<typeof createWorker>[0],
  settings: ReturnType<typeof loadConfig>['amazon'],
  jobId: string,
): Promise<void> {
  const inner = createAmazonLookup(settings, ctx.database.db, {
    fetch: async (input, init) => {
      const t = performance.now();
      const r = await fetch(input, init);
      if (String(input).includes('search')) sends.push({ t, s: r.status });
      return r;
    },
  });
  const lookup = {
    lookupMany: (units: Parameters<typeof inner.lookupMany>[0], signal: AbortSignal) => {
      lookupStarts.push(performance.now());
      return inner.lookupMany(units, signal);
    },
  };
  const worker = createWorker(ctx, { lookup, idlePollMs: 50, jobIds: [jobId] });
  worker.start();
  while (!['completed', 'failed', 'paused'].includes((await getJob(ctx.database.db, jobId)).status))
    await new Promise((r) => setTimeout(r, 25));
  await worker.stop();
}

await main();
