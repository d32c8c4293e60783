/**
 * A provider chain on one 10,000-code file (issue 16 "Measure"): `code2asin map` in its own
 * process against the emulator in another, through a loopback proxy that records which codes each
 * provider was asked. The sources overlap partly: each product's code search is answered by SP-API
 * with probability 0.6, the Creators API 0.5 and Keepa 0.7, independently (the emulator catalog's
 * `codeProtocols`). Runs: each provider alone, then the chain `spapi,creators,keepa`.
 *
 * Rates are the published ones scaled up (a Creators-only run at 1 request/s would take 2 h 47 min):
 * SP-API 5 requests/s burst 2 (20 codes each), Creators 25/s burst 2, Keepa 3,000 tokens/min with
 * an empty budget at start; the client paced at the same figures. Latency 50 ms ± 20 %.
 *
 * Run: node --import tsx bench/provider-chain.bench.ts [--quick]
 * Env: BENCH_CHAIN_CODES (10000; --quick: 2000), BENCH_CREATORS_WINDOW_S (60: the Creators-alone
 * run is stopped after this and its rate stands for the file), BENCH_CHAIN_RUNS (which runs, e.g.
 * `keepa` or `keepa,chain`; all by default — a partial table is printed, not written to docs),
 * BENCH_KEEPA_TOKENS_PER_MINUTE (3000), BENCH_KEEPA_TRACE=1 (Keepa's balance and backlog every
 * second, on stderr).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { parseCode } from '../src/codes/index.js';
import type { ProviderName } from '../src/config/provider-names.js';
import { generateCatalog, keepaStatsKey, type EmulatorStats } from '../src/emulator/index.js';
import { createRandom } from '../src/emulator/random.js';
import { startRecordingProxy, type ProxiedCodeSearch } from '../test/helpers/recording-proxy.js';
import { startEmulatorProcess, type EmulatorProcess } from './helpers/emulator-process.js';

const QUICK = process.argv.includes('--quick');
const CODES = Number(process.env.BENCH_CHAIN_CODES ?? (QUICK ? 2_000 : 10_000));
const CREATORS_WINDOW_S = Number(process.env.BENCH_CREATORS_WINDOW_S ?? 60);
const SEED = 16;
const BIN = fileURLToPath(new URL('../bin/code2asin.js', import.meta.url));
const KEEPA_KEY = 'bench-keepa-key-00000000000000000000000000000000000000000016';
const CHAIN: ProviderName[] = ['spapi', 'creators', 'keepa'];
const RUNS = (process.env.BENCH_CHAIN_RUNS ?? 'spapi,creators,keepa,chain').split(',');
const KEEPA_TRACE = process.env.BENCH_KEEPA_TRACE === '1';
/** Probability that a provider's code search finds a product. */
const COVERAGE: Partial<Record<ProviderName, number>> = { spapi: 0.6, creators: 0.5, keepa: 0.7 };
const PACE = {
  spapi: { tps: 5, burst: 2, perRequest: 20 },
  creators: { tps: 25, burst: 2, perRequest: 1 },
  keepa: {
    tokensPerMinute: Number(process.env.BENCH_KEEPA_TOKENS_PER_MINUTE ?? 3_000),
    perRequest: 100,
  },
};
const OPERATION: Record<string, string> = {
  spapi: 'searchCatalogItems',
  creators: 'searchItems',
  keepa: 'product',
};

/** A generated catalog with each product's code search limited to some providers. */
function benchCatalog() {
  const catalog = generateCatalog(Math.ceil(CODES * 1.7), SEED);
  const rng = createRandom(SEED);
  for (const product of catalog.marketplaces['www.amazon.fr']?.products ?? []) {
    product.codeProtocols = CHAIN.filter((p) => rng.next() < (COVERAGE[p] ?? 0));
  }
  const quota = (tps: number, burst: number) => ({ tps, burst, tpd: 10_000_000 });
  catalog.credentials = catalog.credentials.map((c) =>
    c.kind === 'creators'
      ? { ...c, quota: quota(PACE.creators.tps, PACE.creators.burst) }
      : c.kind === 'spapi'
        ? { ...c, quota: quota(PACE.spapi.tps, PACE.spapi.burst) }
        : c,
  );
  catalog.keepaKeys = [
    { key: KEEPA_KEY, refillRate: PACE.keepa.tokensPerMinute, tokens: 0, label: 'bench' },
  ];
  const codes = [
    ...new Set(
      (catalog.truth ?? []).map((t) => parseCode(t.code)).flatMap((p) => (p.valid ? [p.code] : [])),
    ),
  ];
  if (codes.length < CODES) throw new Error(`only ${codes.length} valid codes in the catalog`);
  const shuffled = codes.slice(0, CODES);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
  }
  return { catalog, codes: shuffled };
}

interface Sample {
  t: number;
  /** Epoch ms when the emulator's stats had come back (they were taken just before). */
  at: number;
  stats: EmulatorStats;
  /** Units waiting for each step (pending or claimed). */
  backlog: number[];
}

interface Run {
  label: string;
  providers: ProviderName[];
  wallSeconds: number;
  exitCode: number | null;
  samples: Sample[];
  searches: ProxiedCodeSearch[];
  results: { code: string; status: string; outcomes: string | null }[];
  window: boolean;
}

/**
 * Reads the map's database on a worker thread while the run goes: the proxy shares this
 * process, and the synchronous read (opening the file, a query over 10,000 rows) stalled its
 * event loop up to 57 ms, holding requests back and then forwarding them together (a 429 the
 * run did not cause, seen with per-process send/arrival timestamps).
 */
function startDbReader(): {
  read<T>(file: string, query: string): Promise<T[]>;
  close(): Promise<number>;
} {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
    const Sqlite = require(workerData.sqlite);
    parentPort.on('message', ({ id, file, query }) => {
      let rows = [];
      try {
        const db = new Sqlite(file, { readonly: true, fileMustExist: true });
        try { rows = db.prepare(query).all(); } finally { db.close(); }
      } catch {}
      parentPort.postMessage({ id, rows });
    });`,
    {
      eval: true,
      workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3') },
    },
  );
  const waiting = new Map<number, (rows: unknown[]) => void>();
  let next = 0;
  worker.on('message', ({ id, rows }: { id: number; rows: unknown[] }) => {
    waiting.get(id)?.(rows);
    waiting.delete(id);
  });
  return {
    read: <T>(file: string, query: string) =>
      new Promise<T[]>((resolve) => {
        const id = (next += 1);
        waiting.set(id, resolve as (rows: unknown[]) => void);
        worker.postMessage({ id, file, query });
      }),
    close: () => worker.terminate(),
  };
}

function readDb<T>(file: string, query: string): T[] {
  try {
    const db = new Sqlite(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(query).all() as T[];
    } finally {
      db.close();
    }
  } catch {
    return []; // not created or not migrated yet
  }
}

async function runMap(
  emu: EmulatorProcess,
  proxy: Awaited<ReturnType<typeof startRecordingProxy>>,
  codes: string[],
  providers: ProviderName[],
  windowSeconds?: number,
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-bench-chain-'));
  const file = join(dir, 'codes.csv');
  writeFileSync(file, `EAN\n${codes.join('\n')}\n`);
  const dbFile = join(dir, 'map.db');
  const firstSearch = proxy.searches.length;
  const env = {
    ...process.env,
    ...emu.env,
    AMAZON_KEEPA_KEY: KEEPA_KEY,
    AMAZON_KEEPA_API_URL: proxy.url,
    AMAZON_SPAPI_ENDPOINT: proxy.url,
    AMAZON_CREATORS_API_URL: proxy.url,
    AMAZON_PROVIDER: 'spapi',
    AMAZON_TPS: String(PACE.spapi.tps),
    AMAZON_BURST: String(PACE.spapi.burst),
    AMAZON_CHAIN_RATES: `creators=${PACE.creators.tps}/${PACE.creators.burst},keepa=50/5`,
    CODE2ASIN_AMAZON_SOURCE: 'emulator',
    DATABASE_URL: `sqlite:${dbFile}`,
    CODE2ASIN_SECRET_KEY: 'cd'.repeat(32),
  };
  const args = [BIN, 'map', file, '-o', join(dir, 'out.csv'), '--providers', providers.join(',')];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let running = true;
  void exited.then(() => (running = false));
  const samples: Sample[] = [];
  const backlogQuery = `select chain_step as step, count(*) as n from code2asin_results where status in ('pending', 'claimed') group by chain_step`;
  let firstAt: number | null = null;
  const reader = startDbReader();
  while (running) {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    const backlog = providers.map(() => 0);
    for (const r of await reader.read<{ step: number; n: number }>(dbFile, backlogQuery))
      if (r.step < backlog.length) backlog[r.step] = r.n;
    // A starved emulator may drop a stats call: that second goes unsampled, the run goes on.
    const stats = await emu.stats().catch(() => null);
    if (stats) samples.push({ t: performance.now(), at: Date.now(), stats, backlog });
    if (firstAt === null && proxy.searches.length > firstSearch) firstAt = performance.now();
    if (windowSeconds && firstAt !== null && performance.now() - firstAt > windowSeconds * 1000) {
      child.kill('SIGINT');
      break;
    }
  }
  await reader.close();
  const exitCode = await exited;
  const wallSeconds = (performance.now() - t0) / 1000;
  const final = await emu.stats();
  samples.push({
    t: performance.now(),
    at: Date.now(),
    stats: final,
    backlog: providers.map(() => 0),
  });
  if (!windowSeconds && exitCode !== 0) throw new Error(`map exited with ${exitCode}: ${stderr}`);
  const results = readDb<Run['results'][number]>(
    dbFile,
    `select code, status, provider_outcomes as outcomes from code2asin_results where status not in ('pending', 'claimed')`,
  );
  rmSync(dir, { recursive: true, force: true });
  return {
    label: providers.join(','),
    providers,
    wallSeconds,
    exitCode,
    samples,
    searches: proxy.searches.slice(firstSearch),
    results,
    window: windowSeconds !== undefined,
  };
}

function credentialOf(emu: EmulatorProcess, p: ProviderName): string {
  if (p === 'spapi') return emu.env.AMAZON_SPAPI_CLIENT_ID as string;
  if (p === 'creators') return emu.env.AMAZON_CREATORS_CREDENTIAL_ID as string;
  return keepaStatsKey(KEEPA_KEY);
}

function counted(s: EmulatorStats, credential: string, op: string) {
  const o = s.credentials[credential]?.operations[op];
  return { requests: o?.requests ?? 0, throttled: o?.status['429'] ?? 0 };
}

/**
 * Share of the allowed rate used while the provider had work: over the sampled seconds where at
 * least a full request's worth waited for it at both ends, admitted requests ÷ (rate × seconds).
 */
function requestQuotaUse(emu: EmulatorProcess, run: Run, p: 'spapi' | 'creators'): number | null {
  const step = run.providers.indexOf(p);
  const cred = credentialOf(emu, p);
  let admitted = 0;
  let seconds = 0;
  for (let i = 1; i < run.samples.length; i++) {
    const a = run.samples[i - 1] as Sample;
    const b = run.samples[i] as Sample;
    const full = PACE[p].perRequest;
    if ((a.backlog[step] ?? 0) < full || (b.backlog[step] ?? 0) < full) continue;
    const ca = counted(a.stats, cred, OPERATION[p] as string);
    const cb = counted(b.stats, cred, OPERATION[p] as string);
    admitted += cb.requests - cb.throttled - (ca.requests - ca.throttled);
    seconds += (b.t - a.t) / 1000;
  }
  return seconds > 0 ? admitted / (PACE[p].tps * seconds) : null;
}

/**
 * Keepa: tokens spent ÷ (tokens spent + tokens left unspent while it had work). Tokens keep for an
 * hour, so a token is wasted only when a refill comes while a request's worth of codes waits for
 * Keepa (at the samples on both sides of the refill) and the balance just before it is still
 * above 0 (the client could have sent and did not): that balance, at each refill met with that
 * much work, is the waste. Never above 100 %. `granted` keeps the figure of
 * earlier sessions: the balance at the start plus every refill before the last request — it counts
 * the whole last refill even when the work left needed a part of it (the run's end, not a waste).
 */
function keepaTokenUse(run: Run, before: EmulatorStats, beforeAt: number) {
  const k = keepaStatsKey(KEEPA_KEY);
  const step = run.providers.indexOf('keepa');
  const last = (run.samples.at(-1) as Sample).stats;
  const spent = (last.keepa?.[k]?.tokensConsumed ?? 0) - (before.keepa?.[k]?.tokensConsumed ?? 0);
  const asked = run.searches.filter((s) => s.protocol === 'keepa');
  const firstAt = asked[0]?.at;
  const lastAt = asked.at(-1)?.at;
  const empty = { use: null, spent, granted: 0, unspent: 0, refillsWithWork: 0 };
  if (firstAt === undefined || lastAt === undefined) return empty;
  const known = before.keepa?.[k];
  let refillAt = known ? beforeAt + known.refillIn : firstAt + 60_000;
  let granted = Math.max(0, known?.tokensLeft ?? 0);
  for (; refillAt <= lastAt; refillAt += 60_000) granted += PACE.keepa.tokensPerMinute;
  // Refill instants from the first sample that knows the key, then every minute.
  const anchor = run.samples.find((s) => s.stats.keepa?.[k]);
  if (!anchor) return { ...empty, granted };
  const end = (run.samples.at(-1) as Sample).at;
  let unspent = 0;
  let refillsWithWork = 0;
  const first = anchor.at + (anchor.stats.keepa?.[k]?.refillIn ?? 0);
  for (let at = first; at <= end; at += 60_000) {
    const just = run.samples.filter((s) => s.at < at && s.stats.keepa?.[k]).at(-1);
    const next = run.samples.find((s) => s.at >= at);
    // As for SP-API and Creators: only while a full request's worth of codes waited for Keepa at
    // both ends (the samples before and after the refill). A backlog seen on one side only is
    // a request being filled or in flight: in the chain, Keepa's codes come from the steps
    // before it and wait for a request of 100, and it sends within a poll once they are there.
    const full = PACE.keepa.perRequest;
    if (!just || !next || (just.backlog[step] ?? 0) < full || (next.backlog[step] ?? 0) < full)
      continue;
    refillsWithWork += 1;
    unspent += Math.max(0, just.stats.keepa?.[k]?.tokensLeft ?? 0);
  }
  // No refill met a request's worth of waiting codes: Keepa was never short of tokens (–).
  const use = refillsWithWork > 0 && spent + unspent > 0 ? spent / (spent + unspent) : null;
  return { use, spent, granted, unspent, refillsWithWork };
}

/** Codes a provider was asked more than once, and codes it was asked that the run did not need. */
function wasted(run: Run, p: ProviderName): number {
  const asked = run.searches
    .filter((s) => s.protocol === p && s.page === 1 && s.status !== 429)
    .flatMap((s) => s.codes);
  const twice = asked.length - new Set(asked).size;
  const needed = new Set(
    run.results
      .filter((r) =>
        (r.outcomes ?? `"provider":"${run.providers[0]}"`).includes(`"provider":"${p}"`),
      )
      .map((r) => r.code),
  );
  const unneeded = [...new Set(asked)].filter((c) => !needed.has(c)).length;
  return run.window ? twice : twice + unneeded;
}

/** Keepa's balance, spend and backlog at each sample (BENCH_KEEPA_TRACE=1), to see where tokens go. */
function traceKeepa(run: Run): void {
  const k = keepaStatsKey(KEEPA_KEY);
  const step = run.providers.indexOf('keepa');
  const t0 = run.samples[0]?.t ?? 0;
  process.stderr.write('t_s  tokensLeft  consumed  refillIn_s  backlog  requests  429\n');
  for (const s of run.samples) {
    const b = s.stats.keepa?.[k];
    const c = counted(s.stats, k, 'product');
    const line = [
      ((s.t - t0) / 1000).toFixed(1),
      b?.tokensLeft ?? '-',
      b?.tokensConsumed ?? '-',
      b ? (b.refillIn / 1000).toFixed(1) : '-',
      s.backlog[step] ?? 0,
      c.requests,
      c.throttled,
    ];
    process.stderr.write(`${line.join('  ')}\n`);
  }
}

/**
 * Where each 429 of a paced provider came from: the gaps the proxy saw between the refused
 * request and the two admitted ones before it. Gaps of about an interval or more at the proxy mean
 * the client kept its pace and the requests bunched after the proxy (the emulator's event loop
 * stamped them late); a gap well under the interval means the client sent too early.
 */
function throttleGaps(run: Run, p: 'spapi' | 'creators'): string[] {
  const asked = run.searches.filter((s) => s.protocol === p && s.status !== null);
  const t0 = asked[0]?.at ?? 0;
  const out: string[] = [];
  asked.forEach((s, i) => {
    if (s.status !== 429) return;
    const admitted = asked.slice(0, i).filter((a) => a.status !== 429);
    const prev = admitted.at(-1);
    const before = admitted.at(-2);
    const gap = (a?: ProxiedCodeSearch, b?: ProxiedCodeSearch) =>
      a && b ? `${(b.at - a.at).toFixed(0)} ms` : '–';
    out.push(
      `${p} 429 at ${((s.at - t0) / 1000).toFixed(1)} s (request ${i + 1}): at the proxy ${gap(prev, s)} after the previous admitted request, which came ${gap(before, prev)} after the one before (interval ${(1000 / PACE[p].tps).toFixed(0)} ms)`,
    );
  });
  return out;
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);

function rows(emu: EmulatorProcess, run: Run, before: EmulatorStats, beforeAt: number): string[] {
  const last = (run.samples.at(-1) as Sample).stats;
  const found = run.results.filter((r) => r.status === 'found').length;
  const done = run.results.length;
  const wall = run.window ? (run.wallSeconds * CODES) / Math.max(1, done) : run.wallSeconds;
  return run.providers.map((p, i) => {
    const cred = credentialOf(emu, p);
    const op = OPERATION[p] as string;
    const a = counted(before, cred, op);
    const b = counted(last, cred, op);
    const k = keepaTokenUse(run, before, beforeAt);
    const use =
      p === 'keepa'
        ? k.use === null
          ? `never short of tokens (no refill met ≥ 100 codes waiting; ${k.spent} spent of ${k.granted} refilled)`
          : `${pct(k.use)} of tokens (${k.unspent} unspent at ${k.refillsWithWork} refills met with ≥ 100 codes waiting; ${k.spent} spent of ${k.granted} refilled)`
        : pct(requestQuotaUse(emu, run, p as 'spapi' | 'creators'));
    const head =
      i === 0
        ? [
            run.label,
            `${done}${run.window ? ` (window ${CREATORS_WINDOW_S} s)` : ''}`,
            pct(found / Math.max(1, done)),
            `${wall.toFixed(1)}${run.window ? ' (extrapolated)' : ''}`,
          ]
        : ['', '', '', ''];
    return `| ${[...head, p, String(b.requests - a.requests), String(b.throttled - a.throttled), use, String(wasted(run, p))].join(' | ')} |`;
  });
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const { catalog, codes } = benchCatalog();
  const emu = await startEmulatorProcess(catalog, { latencyMs: 50 });
  const proxy = await startRecordingProxy(emu.url);
  const table: string[] = [];
  const diagnosis: string[] = [];
  try {
    const plan: [string, ProviderName[], number | undefined][] = [
      ['spapi', ['spapi'], undefined],
      ['creators', ['creators'], CREATORS_WINDOW_S],
      ['keepa', ['keepa'], undefined],
      ['chain', CHAIN, undefined],
    ];
    for (const [name, providers, window] of plan) {
      if (!RUNS.includes(name)) continue;
      const beforeAt = Date.now();
      const before = await emu.stats();
      const run = await runMap(emu, proxy, codes, providers, window);
      if (KEEPA_TRACE && providers.includes('keepa')) traceKeepa(run);
      table.push(...rows(emu, run, before, beforeAt));
      for (const p of ['spapi', 'creators'] as const)
        if (providers.includes(p)) diagnosis.push(...throttleGaps(run, p));
      process.stderr.write(`${providers.join(',')}: ${run.wallSeconds.toFixed(1)} s\n`);
    }
  } finally {
    await proxy.close();
    await emu.close();
  }
  const loadEnd = loadavg();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const diagnosisMd =
    diagnosis.length > 0
      ? `- **where each 429 of SP-API / Creators came from** (the proxy's arrival times):\n${diagnosis.map((d) => `  - ${d}`).join('\n')}\n`
      : '';
  const md = `## Provider chain: ${CODES.toLocaleString('en')} codes (issue 16)

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average (1/5/15 min) ${load(loadStart)} at start, ${load(loadEnd)} at end${loadStart[0]! > 2 || loadEnd[0]! > 2 ? ' — **measured under load**' : ''}.
Command: \`node --import tsx bench/provider-chain.bench.ts${QUICK ? ' --quick' : ''}\` (BENCH_CHAIN_CODES=${CODES}).
Coverage of each provider's code search: SP-API ${COVERAGE.spapi}, Creators ${COVERAGE.creators}, Keepa ${COVERAGE.keepa} (independent per product).
Pace (scaled): SP-API ${PACE.spapi.tps}/s burst ${PACE.spapi.burst} × 20 codes, Creators ${PACE.creators.tps}/s burst ${PACE.creators.burst}, Keepa ${PACE.keepa.tokensPerMinute} tokens/min from an empty budget.

| run | codes done | found | wall s | provider | requests | 429 | quota use while it had work | codes wasted |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

- **found**: share of the codes done with status \`found\` (the chain's is the union of what each finds).
- **wall s**: the \`map\` process from start to exit (reading the file and writing the result included); the
  Creators-alone run is stopped after ${CREATORS_WINDOW_S} s of requests and its time scaled to the file.
- **requests / 429**: as the emulator counted them (code searches: \`searchCatalogItems\`, \`searchItems\`, Keepa \`/product\`).
- **quota use while it had work**: SP-API and Creators — admitted requests ÷ (allowed rate × seconds) over the
  sampled seconds (1 s apart) in which a full request's worth of codes waited for that provider at both ends;
  Keepa — tokens spent ÷ (tokens spent + tokens left unspent while it had work): tokens keep for an hour, so a
  token is wasted only when a refill comes while a full request's worth of codes (100) waits for Keepa (at the
  samples on both sides of it) and the balance just before it is above 0 (the emulator's balance at the last sample before each such refill, summed;
  "never short of tokens" when no refill met that much work waiting). In brackets,
  the earlier figure: tokens spent of the start balance plus every refill before the last request — it counts the
  whole last refill although the codes left needed only part of it (an empty key starts at 0 and its first
  refill comes a minute after the probe).
${diagnosisMd}- **codes wasted**: codes the proxy saw a provider asked twice (a request refused with 429 and sent again
  not counted: it cost nothing), plus codes it was asked that the run did not need (already found by a
  provider before it, or not in the file).
`;
  process.stdout.write(md);
  if (RUNS.length < 4) return; // a partial run is not the section's figures
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/provider-chain.md', md);
}

await main();
