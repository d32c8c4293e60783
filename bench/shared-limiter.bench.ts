/**
 * Several processes, one credential: `code2asin worker` processes on one SQLite database run one
 * job against the emulator (its own process) at 10 requests/s, burst 1, 100 ms latency.
 * Runs, in the same session: one worker with the in-process limiter and with the shared one
 * (what sharing costs a lone process); two workers sharing the quota through `rate_limits` (the
 * default); two workers each pacing alone (CODE2ASIN_SHARED_RATE_LIMIT=false, the former
 * behaviour) to show what sharing prevents.
 * Run: node --import tsx bench/shared-limiter.bench.ts [--codes 200] [--rounds 3]
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCatalog, type EmulatorStats } from '../src/emulator/index.js';
import { createJob } from '../src/jobs/create-job.js';
import { getJob } from '../src/jobs/jobs-repository.js';
import { startEmulatorProcess, type EmulatorProcess } from './helpers/emulator-process.js';
import { openBenchJobs } from './helpers/jobs-context.js';

const TPS = 10;
const LATENCY = 100;
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CODES = arg('codes', 200);
const ROUNDS = arg('rounds', 3);
const BIN = fileURLToPath(new URL('../bin/code2asin.js', import.meta.url));

interface Run {
  name: string;
  workers: number;
  shared: boolean;
}

const RUNS: Run[] = [
  { name: 'one worker, in-process limiter (sharing off)', workers: 1, shared: false },
  { name: 'one worker, shared limiter (default)', workers: 1, shared: true },
  { name: 'two workers, shared limiter (default)', workers: 2, shared: true },
  { name: 'two workers, each pacing alone (sharing off)', workers: 2, shared: false },
];

function searches(s: EmulatorStats): { requests: number; throttled: number; busiest: number } {
  const ops = Object.values(s.credentials).map((c) => c.operations.searchItems);
  return {
    requests: ops.reduce((n, o) => n + (o?.requests ?? 0), 0),
    throttled: ops.reduce((n, o) => n + (o?.status['429'] ?? 0), 0),
    busiest: Math.max(0, ...ops.map((o) => o?.maxPerSecond ?? 0)),
  };
}

/** Starts `code2asin worker` and resolves once it says it started. */
function startWorker(env: Record<string, string>): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/worker \S+ started/.test(out)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One job of `codes` run by `run.workers` processes; the rate from first to last arrival. */
async function measure(emu: EmulatorProcess, run: Run, codes: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-bench-shared-'));
  const url = `sqlite:${join(dir, 'bench.db')}`;
  const ctx = await openBenchJobs(url, TPS);
  const { database } = ctx;
  const env = {
    ...emu.env,
    DATABASE_URL: url,
    AMAZON_TPS: String(TPS),
    AMAZON_BURST: '1',
    CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
    CODE2ASIN_LOG_LEVEL: 'info',
    CODE2ASIN_SHARED_RATE_LIMIT: String(run.shared),
  };
  const workers = await Promise.all(Array.from({ length: run.workers }, () => startWorker(env)));
  const before = searches(await emu.stats());
  const job = await createJob(ctx, {
    owner: 'bench',
    options: { name: run.name, marketplaces: ['fr'] },
    codes,
  });
  // Arrivals seen by polling the emulator: the rate is measured from the first to the last.
  let first = 0;
  let last = 0;
  let seen = before.requests;
  while ((await getJob(database.db, job.id)).status === 'processing') {
    const now = searches(await emu.stats()).requests;
    if (now > seen) {
      if (first === 0) first = performance.now();
      [seen, last] = [now, performance.now()];
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const after = searches(await emu.stats());
  await Promise.all(workers.map(stop));
  const done = await getJob(database.db, job.id);
  const errors = await database.db
    .selectFrom('code2asin_results')
    .select(['error_class', 'error_message'])
    .where('error_class', 'is not', null)
    .execute();
  if (errors.length > 0) process.stderr.write(`${JSON.stringify(errors.slice(0, 5))}\n`);
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  const requests = after.requests - before.requests;
  const rate = (requests - 1) / ((last - first) / 1000);
  return {
    run,
    status: done.status,
    requests,
    seconds: (last - first) / 1000,
    rate,
    throttled: after.throttled - before.throttled,
    busiest: after.busiest,
  };
}

interface Total {
  run: Run;
  requests: number;
  seconds: number;
  /** Requests after the first of each round, over the rounds' seconds. */
  rate: number;
  throttled: number;
  busiest: number;
}

async function main(): Promise<void> {
  const catalog = generateCatalog(Math.ceil(CODES * 1.6) + 50, 13);
  // The same codes in every run: each has its own database and emulator, so none is cached.
  const codes = [
    ...new Set((catalog.truth ?? []).filter((t) => t.case !== 'many_hits').map((t) => t.code)),
  ].slice(0, CODES);
  if (codes.length < CODES) throw new Error(`catalog too small: ${codes.length} codes`);
  const loads = [loadavg()[0] ?? 0];
  const totals: Total[] = RUNS.map((run) => ({
    run,
    requests: 0,
    seconds: 0,
    rate: 0,
    throttled: 0,
    busiest: 0,
  }));
  // Rounds of every run in turn: a burst of load on this shared machine falls on all of them.
  for (let round = 0; round < ROUNDS; round++) {
    for (const total of totals) {
      // A fresh emulator per run: its quota counters and stats start empty.
      const emu = await startEmulatorProcess(catalog, { tps: TPS, latencyMs: LATENCY });
      try {
        const r = await measure(emu, total.run, codes);
        process.stderr.write(`round ${round + 1}: ${JSON.stringify(r)}\n`);
        total.requests += r.requests;
        total.seconds += r.seconds;
        total.rate += r.requests - 1; // divided by the seconds below
        total.throttled += r.throttled;
        total.busiest = Math.max(total.busiest, r.busiest);
        if (r.status !== 'completed') throw new Error(`${total.run.name}: job ${r.status}`);
      } finally {
        await emu.close();
      }
      loads.push(loadavg()[0] ?? 0);
    }
  }
  for (const t of totals) t.rate /= t.seconds;
  const [local, alone, shared] = totals as [Total, Total, Total, Total];
  const md = `## Several worker processes, one credential

\`code2asin worker\` processes on one SQLite database run a job of ${CODES} distinct codes against the emulator (its
own process) at ${TPS} requests/s, burst 1, ${LATENCY} ms latency; \`AMAZON_TPS=${TPS}\`, \`AMAZON_BURST=1\`. ${ROUNDS} rounds of
the four runs in turn, each with a fresh database and emulator; the rate is measured by the emulator, from the first
search to the last of each run, and summed over the rounds.

| run | requests | seconds | requests/s | share of the quota | 429s | most requests in any 1 s |
|---|---|---|---|---|---|---|
${totals
  .map(
    (r) =>
      `| ${r.run.name} | ${r.requests} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(2)} | ${((r.rate / TPS) * 100).toFixed(1)} % | ${r.throttled} | ${r.busiest} |`,
  )
  .join('\n')}

Two workers sharing the limiter / one worker: ${(shared.rate / alone.rate).toFixed(2)}× the rate (the goal is 1×: one
quota, whatever the number of processes). One worker, shared / in-process limiter: ${(alone.rate / local.rate).toFixed(2)}× (what
sharing costs a lone process; a single 429 moves a run by several %, so differences of a few % are noise here).
Each pacing alone, two workers send up to twice the quota and the surplus comes back as 429s, each one a pause of
every request (\`retryAfterSeconds\`) and a slower rate. Every 429 costs about a second here: they account for most
of what separates a run from 100 %.

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores (shared with other work: load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during the runs), Node ${process.version}, SQLite.
Command: \`node --import tsx bench/shared-limiter.bench.ts [--codes ${CODES}] [--rounds ${ROUNDS}]\`.
`;
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/shared-limiter.md', md);
  process.stdout.write(md);
}

await main();
