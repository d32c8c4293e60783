/**
 * Scale-out: N `code2asin worker` processes (automatic concurrency) on one PostgreSQL share one
 * credential (20 requests/s, burst 5, 200 ms latency at the emulator, its own process) while
 * they run one job; a 60 s window after 10 s of warm-up, the rate counted by the emulator (every
 * answer but 429s, per credential). N = 1, 2, 4, 8, 16, then 2 credentials × 4 workers each.
 * With `--before <dir>` the same cases also run with the `code2asin` of another checkout (e.g.
 * main, extracted with `git archive`), interleaved case by case, so both see the same machine.
 * Run: node --import tsx bench/scale-out.bench.ts [--quick] [--window 60] [--warmup 10]
 *      [--workers 1,2,4,8,16 | --cases 4,2x4] [--before /tmp/c2a-main] [--no-write]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { DB } from '../src/db/schema.js';
import { generateCatalog, type EmulatorStats } from '../src/emulator/index.js';
import { creatorsEnv } from '../src/emulator/env.js';
import { createJob } from '../src/jobs/create-job.js';
import { startEmulatorProcess, type EmulatorProcess } from './helpers/emulator-process.js';
import { openBenchJobs } from './helpers/jobs-context.js';
import { startWorker, stopWorker } from './helpers/worker-process.js';

const TPS = 20;
const BURST = 5;
const LATENCY = 200;
const argv = process.argv;
const flag = (name: string): boolean => argv.includes(`--${name}`);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? (argv[i + 1] as string) : fallback;
};
const QUICK = flag('quick');
const WINDOW_S = Number(arg('window', QUICK ? '15' : '60'));
const WARMUP_S = Number(arg('warmup', QUICK ? '5' : '10'));
const WORKER_COUNTS = arg('workers', QUICK ? '1,4,16' : '1,2,4,8,16')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const BEFORE = arg('before', '');
type JobsDb = Kysely<DB>;
const HERE = fileURLToPath(new URL('..', import.meta.url));

interface Case {
  name: string;
  /** Worker processes per credential. */
  workers: number;
  credentials: number;
}

interface Result {
  case: Case;
  build: 'before' | 'after';
  /** Per credential: answered requests per second in the window, and 429s in it. */
  /**
   * Per credential: answered requests per second in the window, 429s in it, and the most
   * searches (answered or refused) the emulator saw in any 1-second span of the case.
   */
  perCredential: { rate: number; throttled: number; maxPerSecond: number }[];
  throttledTotal: number;
  cpuIdle: number;
  schedule: ScheduleSample;
  /**
   * Each credential's share grid at the window's end (rate shares): the interval between two
   * slots and the members. An interval above 1000/TPS means the whole credential runs slower.
   */
  grids: { intervalMs: number; members: number }[];
  /** The window's real length (s). */
  windowS: number;
}

interface ScheduleSample {
  /** Share of samples in which no slot was reserved ahead (the credential's schedule idle). */
  idleShare: number;
  /** Mean lead of the reservations' schedule over the database's clock (ms). */
  meanLeadMs: number;
}

/**
 * Samples the shared schedule (`rate_limits`) every 100 ms for `ms`: when the reservations'
 * theoretical arrival time trails the clock, nobody held a slot and quota went unused.
 */
async function sampleSchedule(db: JobsDb, ms: number): Promise<ScheduleSample> {
  const end = Date.now() + ms;
  const leads: number[] = [];
  while (Date.now() < end) {
    const rows = await sql<{ lead: number }>`
      select tat_ms - extract(epoch from clock_timestamp()) * 1000 as lead from rate_limits`
      .execute(db)
      .catch(() => ({ rows: [] as { lead: number }[] }));
    for (const r of rows.rows) leads.push(Number(r.lead));
    await sleep(100);
  }
  const idle = leads.filter((l) => l < 0).length;
  return {
    idleShare: leads.length ? idle / leads.length : 1,
    meanLeadMs: leads.length ? leads.reduce((x, y) => x + y, 0) / leads.length : 0,
  };
}

/**
 * `--cases 4,2x4`: the cases to run, `N` for N workers on one credential, `CxN` for C credentials
 * with N workers each (default: the `--workers` counts, then 2 credentials × 4).
 */
function casesOf(list: string): Case[] {
  return list.split(',').map((name) => {
    const m = /^(?:(\d+)x)?(\d+)$/.exec(name.trim());
    if (!m) throw new Error(`--cases: "${name}" is neither N nor CxN (e.g. 4 or 2x4)`);
    const credentials = Number(m[1] ?? 1);
    const workers = Number(m[2]);
    if (credentials < 1 || credentials > 2 || workers < 1)
      throw new Error(`--cases: "${name}": 1 or 2 credentials, at least 1 worker`);
    return credentials === 1
      ? { name: `${workers}`, workers, credentials }
      : { name: `${credentials} credentials × ${workers}`, workers, credentials };
  });
}

/** The share lists in force (`rate_limit_shares`), one per credential. */
async function shareGrids(db: JobsDb): Promise<Result['grids']> {
  const rows = await sql<{ interval_ms: number; members: string }>`
    select interval_ms, members from rate_limit_shares order by key`
    .execute(db)
    .catch(() => ({ rows: [] as { interval_ms: number; members: string }[] }));
  return rows.rows.map((r) => ({
    intervalMs: Number(r.interval_ms),
    members: (JSON.parse(r.members) as unknown[]).length,
  }));
}

const CASES: Case[] = argv.includes('--cases')
  ? casesOf(arg('cases', ''))
  : [
      ...WORKER_COUNTS.map((n) => ({ name: `${n}`, workers: n, credentials: 1 })),
      ...(QUICK && !flag('two') ? [] : [{ name: '2 credentials × 4', workers: 4, credentials: 2 }]),
    ];

/** CPU time counters of the machine: the idle share between two readings. */
function cpuTimes(): { idle: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return { idle: (v[3] ?? 0) + (v[4] ?? 0), total: v.reduce((a, b) => a + b, 0) };
}

/** `code2asin migrate` of the checkout at `root`. */
function migrateWith(root: string, url: string): Promise<void> {
  const child = spawn(process.execPath, [join(root, 'bin/code2asin.js'), 'migrate'], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate: ${code}`)))),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answered (not 429) and 429 search requests per credential id. */
function counts(
  s: EmulatorStats,
): Map<string, { answered: number; throttled: number; maxPerSecond: number }> {
  const out = new Map<string, { answered: number; throttled: number; maxPerSecond: number }>();
  // Searches only: the token requests of the OAuth flow are not part of the quota.
  for (const [id, c] of Object.entries(s.credentials)) {
    const op = c.operations.searchItems;
    if (op)
      out.set(id, {
        answered: op.requests - op.status['429'],
        throttled: op.status['429'],
        maxPerSecond: op.maxPerSecond,
      });
  }
  return out;
}

async function runCase(
  emu: EmulatorProcess,
  catalogCreds: { id: string; env: (url: string) => Record<string, string> }[],
  adminUrl: string,
  c: Case,
  build: Result['build'],
  codes: string[],
): Promise<Result> {
  const dbName = `c2a_scale_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  // Each build migrates with its own migrations (main does not know 0008's tables).
  const root = build === 'before' ? BEFORE : HERE;
  await migrateWith(root, url);
  const ctx = await openBenchJobs(url, TPS, { migrate: false });
  const workers: ChildProcess[] = [];
  try {
    for (let k = 0; k < c.credentials; k++) {
      const env = {
        ...emu.env,
        ...catalogCreds[k]!.env(emu.url),
        DATABASE_URL: url,
        AMAZON_TPS: String(TPS),
        AMAZON_BURST: String(BURST),
        CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
        CODE2ASIN_LOG_LEVEL: process.env.BENCH_WORKER_LOG_LEVEL ?? 'info',
      };
      const started = await Promise.all(
        Array.from({ length: c.workers }, () => startWorker(root, env)),
      );
      workers.push(...started);
    }
    const need = Math.ceil(TPS * c.credentials * (WARMUP_S + WINDOW_S) * 1.25);
    await createJob(ctx, {
      owner: 'bench',
      options: { name: `scale-out ${c.name}`, marketplaces: ['fr'] },
      codes: codes.slice(0, Math.max(1800, need)),
    });
    await sleep(WARMUP_S * 1000);
    const a = counts(await emu.stats());
    const cpuA = cpuTimes();
    const startedAt = performance.now();
    const schedule = await sampleSchedule(ctx.database.db, WINDOW_S * 1000);
    const grids = await shareGrids(ctx.database.db);
    const b = counts(await emu.stats());
    const cpuB = cpuTimes();
    // The window as it was: on a loaded machine the sampling overruns the planned length.
    const windowS = (performance.now() - startedAt) / 1000;
    const perCredential = catalogCreds.slice(0, c.credentials).map(({ id }) => {
      const x = a.get(id) ?? { answered: 0, throttled: 0 };
      const y = b.get(id) ?? { answered: 0, throttled: 0, maxPerSecond: 0 };
      return {
        rate: (y.answered - x.answered) / windowS,
        throttled: y.throttled - x.throttled,
        maxPerSecond: y.maxPerSecond,
      };
    });
    await Promise.all(workers.splice(0).map(stopWorker));
    const throttledTotal = [...b.values()].reduce((n, v) => n + v.throttled, 0);
    return {
      case: c,
      build,
      perCredential,
      throttledTotal,
      cpuIdle: (cpuB.idle - cpuA.idle) / Math.max(1, cpuB.total - cpuA.total),
      schedule,
      grids,
      windowS,
    };
  } finally {
    await Promise.all(workers.map(stopWorker));
    await ctx.database.close();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const maxCodes = Math.ceil(TPS * 2 * (WARMUP_S + WINDOW_S) * 1.25) + 100;
  const catalog = generateCatalog(Math.max(1800, maxCodes) * 2 + 50, 23);
  const codes = [...new Set((catalog.truth ?? []).map((t) => t.code))];
  const creds = catalog.credentials
    .filter((x) => x.kind === 'creators')
    .slice(0, 2)
    .map((cred) => ({ id: cred.id, env: (url: string) => creatorsEnv(url, catalog, cred) }));
  const { startEmbeddedPostgres } = (await import(
    '../scripts/embedded-postgres.mjs' as string
  )) as { startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }> };
  const pgServer = process.env.TEST_DATABASE_URL ? null : await startEmbeddedPostgres();
  const adminUrl = process.env.TEST_DATABASE_URL ?? pgServer!.url;
  const loads = [loadavg()[0] ?? 0];
  const results: Result[] = [];
  try {
    for (const c of CASES) {
      for (const build of BEFORE ? (['before', 'after'] as const) : (['after'] as const)) {
        // A fresh emulator per case: its buckets and counters start empty.
        const emu = await startEmulatorProcess(catalog, {
          tps: TPS,
          burst: BURST,
          latencyMs: LATENCY,
        });
        try {
          const r = await runCase(emu, creds, adminUrl, c, build, codes);
          process.stderr.write(`${JSON.stringify(r)}\n`);
          results.push(r);
        } finally {
          await emu.close();
        }
        loads.push(loadavg()[0] ?? 0);
      }
    }
  } finally {
    await pgServer?.stop();
  }
  const md = report(results, loads);
  process.stdout.write(md);
  if (!flag('no-write') && !QUICK) {
    mkdirSync('docs/benchmarks', { recursive: true });
    writeFileSync('docs/benchmarks/scale-out.md', md);
  }
}

function cell(r: Result | undefined): string {
  if (!r) return '– | –';
  const shares = r.perCredential.map((p) => `${((p.rate / TPS) * 100).toFixed(1)} %`).join(' / ');
  const rates = r.perCredential.map((p) => p.rate.toFixed(2)).join(' / ');
  const throttled = r.perCredential.map((p) => p.throttled).join(' / ');
  return `${rates} (${shares}) | ${throttled}`;
}

function report(results: Result[], loads: number[]): string {
  const rows = CASES.map((c) => {
    const before = results.find((r) => r.case === c && r.build === 'before');
    const after = results.find((r) => r.case === c && r.build === 'after');
    const idle = after ? `${(after.cpuIdle * 100).toFixed(0)} %` : '–';
    return BEFORE
      ? `| ${c.name} | ${cell(before)} | ${cell(after)} | ${idle} |`
      : `| ${c.name} | ${cell(after)} | ${idle} |`;
  });
  const head = BEFORE
    ? '| workers | before: answered/s (share of quota) | before: 429s | after: answered/s (share of quota) | after: 429s | CPU idle (after) |\n|---|---|---|---|---|---|'
    : '| workers | answered/s (share of quota) | 429s | CPU idle |\n|---|---|---|---|';
  return `## Scale-out: worker processes sharing one credential

N \`code2asin worker\` processes (automatic concurrency) on one PostgreSQL (embedded-postgres) run one job against the
emulator (its own process) at ${TPS} requests/s, burst ${BURST}, ${LATENCY} ms latency, one credential (\`AMAZON_TPS=${TPS}\`,
\`AMAZON_BURST=${BURST}\`); the last row runs two credentials with 4 workers each (figures per credential). Each case: a
fresh database and emulator, the workers started, the job created, ${WARMUP_S} s of warm-up, then a ${WINDOW_S} s window; the rate is
the emulator's count of answered searches (every answer but 429s) in the window. ${BEFORE ? '"Before" is main (`git archive`), "after" this branch, interleaved case by case in the same run.' : ''}

${head}
${rows.join('\n')}

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores (load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during the runs${Math.max(...loads) > 2 ? ': **measured under load**' : ''}), Node ${process.version}.
Windows as they ran (a loaded machine overruns them; rates are divided by the real length): ${results.map((r) => `${r.case.name}${BEFORE ? ` ${r.build}` : ''} ${r.windowS.toFixed(1)} s`).join(', ')}.
Command: \`node --import tsx bench/scale-out.bench.ts${BEFORE ? ' --before <main checkout>' : ''}${WINDOW_S !== 60 || WARMUP_S !== 10 ? ` --window ${WINDOW_S} --warmup ${WARMUP_S}` : ''}\`.
`;
}

await main();
