/**
 * API under load while a job runs (issue 7 §7): `GET /jobs/{id}` and `GET /jobs/{id}/results`
 * under 100 concurrent clients (autocannon, its own process) while a 10,000-code job runs
 * against the emulator (its own process, as Amazon is another machine). The service runs as
 * deployed: `code2asin serve` with its worker as a supervised child process (CODE2ASIN_WORKER=
 * process, the default) or on the server's own event loop (inline). Each setup runs at Amazon's real
 * quota (1 request/s per credential) and, as a stress case, at 20 requests/s.
 *
 * The job's rate is exact: the emulator's successful searches between two snapshots over the
 * time between their last arrival stamps (`lastArrivalMs`), so a phase of 30 requests measures
 * the rate to a few tenths of a percent. The baseline is the same job with no HTTP load, just
 * before, in the same run.
 *
 * Run: node --import tsx bench/api-load.bench.ts
 * Experiments: BENCH_PHASE_S (seconds per phase at 1 TPS, default 40), BENCH_ONLY=1tps|20tps,
 * BENCH_NICE=serve:10,worker:0,emulator:0,autocannon:0, BENCH_MODE=process|inline (Linux niceness per process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, setPriority, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateCatalog, type EmulatorStats } from '../src/emulator/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './helpers/emulator-process.js';

const LATENCY_MS = 50;
const BIN = fileURLToPath(new URL('../bin/code2asin.js', import.meta.url));
const CODES = 10_000;
const CLIENTS = 100;
const PHASE_S = Number(process.env.BENCH_PHASE_S ?? 40);
const AUTOCANNON = fileURLToPath(new URL('../node_modules/.bin/autocannon', import.meta.url));
const TOKEN = `c2a_bench_${'7'.repeat(40)}`;
const NICE = Object.fromEntries(
  (process.env.BENCH_NICE ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split(':'))
    .map(([k, v]) => [k, Number(v)]),
) as Record<string, number>;

function nice(name: string, pid: number | undefined): void {
  if (pid !== undefined && NICE[name] !== undefined) setPriority(pid, NICE[name]);
}

/** `n` valid EAN-13 codes: the catalog's first, then generated ones (Amazon knows none of those). */
function benchCodes(known: string[], n: number): string[] {
  const out = [...new Set(known)].slice(0, n);
  for (let i = 0; out.length < n; i += 1) {
    // GS1 France prefixes (300–379): ordinary codes (20x are in-store numbers, refused).
    const body = `379${String(i).padStart(9, '0')}`;
    const sum = [...body].reduce((a, d, k) => a + Number(d) * (k % 2 === 0 ? 1 : 3), 0);
    out.push(`${body}${(10 - (sum % 10)) % 10}`);
  }
  return out;
}

/**
 * Searches the quota let through (answered, 429s excluded: a code Amazon does not know is a 404
 * that used quota), 429s and the latest arrival, summed over credentials.
 */
function searchStats(stats: EmulatorStats): { ok: number; throttled: number; last: number } {
  let ok = 0;
  let throttled = 0;
  let last = 0;
  for (const c of Object.values(stats.credentials)) {
    const op = c.operations.searchItems;
    if (!op) continue;
    ok += op.requests - op.status['429'];
    throttled += op.status['429'];
    last = Math.max(last, op.lastArrivalMs ?? 0);
  }
  return { ok, throttled, last };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function autocannon(url: string, seconds: number): Promise<Load> {
  const run = promisify(execFile)(
    AUTOCANNON,
    [
      '-c',
      String(CLIENTS),
      '-d',
      String(seconds),
      '-j',
      '-H',
      `authorization=Bearer ${TOKEN}`,
      url,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  nice('autocannon', run.child.pid);
  const { stdout } = await run;
  const r = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
    statusCodeStats?: Record<string, { count: number }>;
  };
  if (process.env.BENCH_DEBUG)
    console.error(url, { timeouts: r.timeouts, errors: r.errors, codes: r.statusCodeStats });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function startCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
}

async function waitForHealth(base: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not start`);
}

/** `CODE2ASIN_WORKER` of `serve`: a supervised child process (the default), or its own event loop. */
type Mode = 'process' | 'inline';
interface Phase {
  name: string;
  load: Load | null;
  rate: number;
}
interface Scenario {
  tps: number;
  mode: Mode;
  phaseS: number;
  phases: Phase[];
  throttled: number;
}

async function scenario(
  emu: EmulatorProcess,
  codes: string[],
  tps: number,
  mode: Mode,
  phaseS: number,
): Promise<Scenario> {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-bench-api-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...emu.env,
    AMAZON_TPS: String(tps),
    AMAZON_BURST: '1',
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    CODE2ASIN_SECRET_KEY: '01'.repeat(32),
    CODE2ASIN_ADMIN_TOKEN: TOKEN,
    CODE2ASIN_LOG_LEVEL: 'error',
    CODE2ASIN_WORKER: mode,
  };
  const before = searchStats(await emu.stats());
  const serve = startCli(['serve', '--port', String(port)], env);
  nice('serve', serve.pid);
  await waitForHealth(base);
  if (mode === 'process') {
    // The worker child `serve` started (CODE2ASIN_WORKER=process).
    for (const tid of readdirSync(`/proc/${serve.pid}/task`))
      for (const pid of readFileSync(`/proc/${serve.pid}/task/${tid}/children`, 'utf8').split(' '))
        if (pid.trim()) nice('worker', Number(pid));
  }
  try {
    const created = await fetch(`${base}/api/v1/code2asin/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `load ${tps} TPS ${mode}`, codes, marketplaces: ['fr'] }),
    });
    if (!created.ok) throw new Error(`POST /jobs: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const measure = async (name: string, run: () => Promise<Load | null>): Promise<Phase> => {
      const a = searchStats(await emu.stats());
      const load = await run();
      const b = searchStats(await emu.stats());
      return { name, load, rate: ((b.ok - a.ok) * 1000) / Math.max(1, b.last - a.last) };
    };
    // Warm-up: the worker started and searching, lanes busy, limiter steady.
    const first = searchStats(await emu.stats()).ok;
    while (searchStats(await emu.stats()).ok < first + 2)
      await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 3000));
    const phases = [
      await measure('no HTTP load (baseline)', async () => {
        await new Promise((r) => setTimeout(r, phaseS * 1000));
        return null;
      }),
      await measure('GET /jobs/{id}', () =>
        autocannon(`${base}/api/v1/code2asin/jobs/${id}`, phaseS),
      ),
      await measure('GET /jobs/{id}/results?per_page=50&status=found', () =>
        autocannon(`${base}/api/v1/code2asin/jobs/${id}/results?per_page=50&status=found`, phaseS),
      ),
    ];
    const job = (await (
      await fetch(`${base}/api/v1/code2asin/jobs/${id}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).json()) as { status: string };
    if (job.status !== 'processing')
      throw new Error(`the job ended during the measure (${job.status})`);
    await fetch(`${base}/api/v1/code2asin/jobs/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const after = searchStats(await emu.stats());
    return { tps, mode, phaseS, phases, throttled: after.throttled - before.throttled };
  } finally {
    await stop(serve);
  }
}

async function main(): Promise<void> {
  const catalog = generateCatalog(400, 3);
  const codes = benchCodes(
    (catalog.truth ?? []).map((t) => t.code),
    CODES,
  );
  const only = process.env.BENCH_ONLY;
  const runs: Scenario[] = [];
  for (const [tps, phaseS] of [
    [1, PHASE_S],
    [20, 15],
  ] as const) {
    if (only && only !== `${tps}tps`) continue;
    const emu = await startEmulatorProcess(catalog, { tps, latencyMs: LATENCY_MS });
    nice('emulator', emu.pid);
    try {
      for (const mode of (['inline', 'process'] as const).filter(
        (m) => !process.env.BENCH_MODE || m === process.env.BENCH_MODE,
      ))
        runs.push(await scenario(emu, codes, tps, mode, phaseS));
    } finally {
      await emu.close();
    }
  }

  const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(1)} %`;
  const lines = runs.flatMap((r) =>
    r.phases.map((p) => {
      const l = p.load;
      const http = l
        ? `${l.rps.toFixed(0)} | ${l.p50} | ${l.p99} | ${l.non2xx + l.errors}`
        : '– | – | – | –';
      const idle = r.phases[0]?.rate ?? p.rate;
      return `| ${r.tps} | ${r.mode} | ${p.name} | ${http} | ${p.rate.toFixed(3)} | ${pct(p.rate, r.tps)} | ${pct(p.rate, idle)} |`;
    }),
  );
  // The target is for the default deployment (worker in its own child process).
  const worst = (tps: number) =>
    Math.min(
      ...runs
        .filter((r) => r.tps === tps && r.mode === 'process')
        .flatMap((r) => r.phases.map((p) => p.rate / tps)),
    );
  const nices = process.env.BENCH_NICE ? ` Niceness: ${process.env.BENCH_NICE}.` : '';
  const md = `## API under load while a job runs

A ${CODES.toLocaleString('en-US')}-code job (SQLite) against the emulator (own process, burst 1, ${LATENCY_MS} ms latency), the service started as deployed: \`code2asin serve\` with its job worker as a supervised child process (\`CODE2ASIN_WORKER=process\`, the default) or on the server's own event loop (\`inline\`); autocannon (own process) keeps ${CLIENTS} connections busy per route. At Amazon's quota (1 request/s per credential) each phase lasts ${PHASE_S} s; the 20 requests/s stress case 15 s. The job's rate is exact: searches the emulator let through (every answer but 429s; most codes are unknown to it and answered 404, which uses quota as on Amazon) between two snapshots, over the time between their last arrival stamps. The baseline is the same job with no HTTP load, just before.

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; every process (emulator, autocannon, service) shares these ${cpus().length} cores.${nices} Command: \`node --import tsx bench/api-load.bench.ts\`.

| quota (req/s) | worker | phase | HTTP req/s | p50 ms | p99 ms | non-2xx + errors | job searches/s | of quota | of baseline |
|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}

429s received: ${runs.map((r) => `${r.tps} req/s ${r.mode}: ${r.throttled}`).join('; ')}.

Target: the job keeps ≥ 98 % of its quota under API load, with the default \`CODE2ASIN_WORKER=process\`. At Amazon's quota (1 request/s): ${
    runs.some((r) => r.tps === 1)
      ? `lowest phase ${pct(worst(1), 1)}, ${worst(1) >= 0.98 ? '**met**' : '**not met**'}`
      : 'not run'
  }. At 20 requests/s: ${
    runs.some((r) => r.tps === 20)
      ? `lowest phase ${pct(worst(20), 1)}, ${worst(20) >= 0.98 ? '**met**' : '**not met**'}`
      : 'not run'
  }.
`;
  console.log(md);
  writeFileSync(fileURLToPath(new URL('../docs/benchmarks/api.md', import.meta.url)), md);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
