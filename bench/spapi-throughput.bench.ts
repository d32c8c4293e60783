/**
 * SP-API vs Creators API throughput on one 10,000-code file (issue 15): `code2asin map` in its own
 * process against the emulator in its own process, each credential at its published quota
 * (Creators 1 request/s burst 1, SP-API Catalog Items 2 requests/s burst 2), 200 ms ± 20 %
 * latency. SP-API maps the whole file; Creators maps the same file for a fixed window (a whole
 * run would take about 3 hours) and its rate over that window is extrapolated to the file.
 * A second SP-API run maps the catalog's natural mix, where some batches of 20 codes answer with
 * more than 20 items and cost a second page.
 * Run: node --import tsx bench/spapi-throughput.bench.ts
 * Env: BENCH_SPAPI_CODES (10000), BENCH_CREATORS_WINDOW_S (90), BENCH_SPAPI_MIX (1; 0 skips the
 * natural-mix run).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { batchKeyOf } from '../src/amazon/spapi/spapi-identifiers.js';
import { parseCode } from '../src/codes/index.js';
import { generateCatalog, type TruthEntry } from '../src/emulator/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './helpers/emulator-process.js';
import { requestRate, runMap, type MapRun } from './helpers/map-run.js';
import { spapiFileCodes } from './helpers/spapi-file.js';

const CODES = Number(process.env.BENCH_SPAPI_CODES ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_CREATORS_WINDOW_S ?? 90);
const MIX = process.env.BENCH_SPAPI_MIX !== '0';
const LATENCY_MS = 200;
const SEED = 15;
const SPAPI = { tps: 2, perRequest: 20 };
const CREATORS_TPS = 1;

interface ResultRow {
  gtin: string;
  code: string;
  status: string;
  asin: string | null;
}

function resultsOf(dbFile: string): ResultRow[] {
  const db = new Sqlite(dbFile, { readonly: true });
  try {
    return db
      .prepare(
        "select gtin, code, status, asin from code2asin_results where status not in ('pending', 'claimed')",
      )
      .all() as ResultRow[];
  } finally {
    db.close();
  }
}

function gtin14Of(code: string): string {
  const parsed = parseCode(code);
  return parsed.valid ? parsed.gtin14 : '';
}

/** Found share, precision of `found` against the truth, share to review. */
function quality(rows: ResultRow[], truth: TruthEntry[]) {
  const byGtin = new Map(truth.map((t) => [gtin14Of(t.code), t]));
  const found = rows.filter((r) => r.status === 'found' && r.asin);
  const right = found.filter((r) => byGtin.get(r.gtin)?.asin === r.asin).length;
  return {
    done: rows.length,
    found: found.length,
    precision: found.length ? right / found.length : 1,
    toReview: rows.filter((r) => r.status === 'to_review').length,
    errors: rows.filter((r) => r.status === 'error').length,
  };
}

/** Requests the file needs at one page per request: ⌈codes / 20⌉ per identifier type. */
function onePageRequests(rows: ResultRow[]): number {
  const perType = new Map<string, number>();
  for (const r of rows) perType.set(batchKeyOf(r.code), (perType.get(batchKeyOf(r.code)) ?? 0) + 1);
  return [...perType.values()].reduce((n, c) => n + Math.ceil(c / SPAPI.perRequest), 0);
}

async function mapFile(
  emu: EmulatorProcess,
  name: string,
  codes: TruthEntry[],
  provider: 'spapi' | 'creators',
  windowSeconds?: number,
): Promise<{ run: MapRun; rows: ResultRow[] }> {
  const dir = mkdtempSync(join(tmpdir(), `c2a-bench-${name}-`));
  dirs.push(dir);
  const file = join(dir, 'codes.csv');
  writeFileSync(file, `EAN\n${codes.map((t) => t.code).join('\n')}\n`);
  const dbFile = join(dir, 'map.db');
  const credential =
    provider === 'spapi'
      ? (emu.env.AMAZON_SPAPI_CLIENT_ID as string)
      : (emu.env.AMAZON_CREATORS_CREDENTIAL_ID as string);
  const run = await runMap(
    emu,
    [file, '-o', join(dir, 'out.csv')],
    {
      ...emu.env,
      AMAZON_PROVIDER: provider,
      DATABASE_URL: `sqlite:${dbFile}`,
      CODE2ASIN_SECRET_KEY: 'cd'.repeat(32),
    },
    {
      credential,
      op: provider === 'spapi' ? 'searchCatalogItems' : 'searchItems',
      dbFile,
      windowSeconds,
    },
  );
  if (windowSeconds === undefined && run.exitCode !== 0)
    throw new Error(`map ${name} exited with ${run.exitCode}: ${run.stderr}`);
  return { run, rows: resultsOf(dbFile) };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

function spapiRow(label: string, m: { run: MapRun; rows: ResultRow[] }, truth: TruthEntry[]) {
  const { run, rows } = m;
  const q = quality(rows, truth);
  const requests = run.last.requests - run.before.requests;
  const throttled = run.last.throttled - run.before.throttled;
  const admitted = requests - throttled;
  const reqRate = requestRate(run);
  const codesRate = reqRate * (rows.length / Math.max(1, admitted));
  const minimal = onePageRequests(rows);
  return {
    codesRate,
    wall: run.wallSeconds,
    cells: [
      label,
      String(rows.length),
      `${requests} (one page each: ${minimal}; extra pages ${admitted - minimal})`,
      String(throttled),
      reqRate.toFixed(3),
      pct(reqRate / SPAPI.tps),
      codesRate.toFixed(2),
      pct(codesRate / (SPAPI.tps * SPAPI.perRequest)),
      run.wallSeconds.toFixed(1),
      (rows.length / run.wallSeconds).toFixed(2),
      `${pct(q.found / q.done)} (precision ${pct(q.precision)}), to review ${pct(q.toReview / q.done)}, errors ${q.errors}`,
    ],
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const catalog = generateCatalog(Math.ceil(CODES * 1.7), SEED);
  const { onePage, mix } = spapiFileCodes(catalog, CODES, SEED);
  const emu = await startEmulatorProcess(catalog, { latencyMs: LATENCY_MS });
  try {
    const spapi = await mapFile(emu, 'spapi', onePage, 'spapi');
    const creators = await mapFile(emu, 'creators', onePage, 'creators', WINDOW_S);
    const mixed = MIX ? await mapFile(emu, 'spapi-mix', mix, 'spapi') : null;
    const tokenRequests =
      (await emu.stats()).credentials[emu.env.AMAZON_SPAPI_CLIENT_ID as string]?.operations.token
        ?.requests ?? 0;
    const loadAtEnd = loadavg();
    const s = spapiRow('spapi, codes found on one page', spapi, onePage);
    const mixRow = mixed ? spapiRow("spapi, the catalog's natural mix", mixed, mix) : null;
    const c = creators.run;
    const cDone = c.doneAtEnd - c.doneAtFirst;
    const cCodesRate = cDone / c.windowSeconds;
    const cReqRate = requestRate(c);
    const cq = quality(creators.rows, onePage);
    const agree = agreement(creators.rows, spapi.rows);
    const md = `## SP-API vs Creators API: one 10,000-code file (issue 15)

\`code2asin map\` in its own process (SQLite), the emulator in another, each credential at its published quota:
Creators API 1 request/s burst 1, SP-API Catalog Items 2 requests/s burst 2 (20 codes per request), latency ${LATENCY_MS} ms ± 20 %.
The file: ${CODES.toLocaleString('en')} distinct codes of a generated catalog (\`generateCatalog(${Math.ceil(CODES * 1.7)}, ${SEED})\`), shuffled (EAN-13, EAN-8, UPC-A, ISBN-13, ISBN-10 interleaved), each answered with at most one item
(so a batch of 20 fits one page: "codes found on one page"). Requests and 429s as the emulator counts them; request rate exact between
the first search and the last (answered requests over the span between their arrivals, on the emulator's clock); codes/s = request rate × codes per request.

| run | codes | requests | 429s | requests/s | share of the allowed request rate | codes/s | share of 40 codes/s | wall time (s) | codes/s over the wall time | found (precision), to review, errors |
|---|---|---|---|---|---|---|---|---|---|---|
| ${s.cells.join(' | ')} |
${mixRow ? `| ${mixRow.cells.join(' | ')} |\n` : ''}
**Creators API, same file, a ${WINDOW_S} s window** (a whole run would take hours; the run is interrupted ${WINDOW_S} s after its first search,
and its rate over the window is extrapolated): ${cDone} codes done in ${c.windowSeconds.toFixed(1)} s = ${cCodesRate.toFixed(3)} codes/s,
${cReqRate.toFixed(3)} requests/s (${pct(cReqRate / CREATORS_TPS)} of 1/s), ${c.last.throttled - c.before.throttled} × 429; at that rate ${CODES.toLocaleString('en')} codes take
${(CODES / cCodesRate / 3600).toFixed(2)} h (extrapolated). Found ${pct(cq.found / Math.max(1, cq.done))} of its ${cq.done} codes (precision ${pct(cq.precision)}), to review ${pct(cq.toReview / Math.max(1, cq.done))};
on the codes both mapped, the same ASIN (or none) for ${agree.same} of ${agree.both}.

**Ratio spapi / creators in this run: ${(s.codesRate / cCodesRate).toFixed(1)}× the codes per second** (${s.codesRate.toFixed(2)} vs ${cCodesRate.toFixed(3)});
the whole file in ${s.wall.toFixed(0)} s through SP-API against ${(CODES / cCodesRate / 3600).toFixed(1)} h (extrapolated) through the Creators API.
Against the Creators API at its full allowed rate (1 code/s${cReqRate < 0.975 * CREATORS_TPS ? ', which this run did not reach' : ''}), the ratio is ${(s.codesRate / CREATORS_TPS).toFixed(1)}×.
The SP-API lookups took ${(CODES / s.codesRate).toFixed(0)} s of the ${s.wall.toFixed(0)} s wall time; the rest is starting the command, reading the file and writing the result file.
SP-API LWA token requests over all runs: ${tokenRequests}.

Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}. Load average (1 / 5 / 15 min) at start: ${load(loadAtStart)}; at end: ${load(loadAtEnd)}${Math.max(loadAtStart[0] ?? 0, loadAtEnd[0] ?? 0) > 2 ? ' — **measured under load** (the machine is shared; the ratio and the request counts hold, absolute rates may be lower than on an idle machine)' : ''}.
Command: \`node --import tsx bench/spapi-throughput.bench.ts\`${CODES !== 10_000 ? ` (BENCH_SPAPI_CODES=${CODES})` : ''}.
`;
    if (CODES === 10_000) {
      mkdirSync('docs/benchmarks', { recursive: true });
      writeFileSync('docs/benchmarks/spapi.md', md);
    }
    process.stdout.write(md);
  } finally {
    await emu.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

const dirs: string[] = [];

/** Codes both runs decided (not to review): how many got the same ASIN or none. */
function agreement(a: ResultRow[], b: ResultRow[]): { both: number; same: number } {
  const other = new Map(b.map((r) => [r.gtin, r]));
  let both = 0;
  let same = 0;
  for (const r of a) {
    const o = other.get(r.gtin);
    if (!o || r.status === 'to_review' || o.status === 'to_review') continue;
    both++;
    if ((r.asin ?? null) === (o.asin ?? null)) same++;
  }
  return { both, same };
}

await main();
