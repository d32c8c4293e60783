/**
 * Quota use and client overhead of the Amazon client against the emulator.
 *   node --import tsx bench/amazon-quota.bench.ts [--searches 300] [--overhead 2000]
 * Writes docs/benchmarks/amazon.md and prints the same Markdown table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { createAmazonClient } from '../src/amazon/client.js';
import { ITEM_RESOURCES } from '../src/amazon/resources.js';
import { computeCheckDigit } from '../src/codes/index.js';
import { loadConfig } from '../src/config/env.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEARCHES = arg('searches', 300);
const OVERHEAD_N = arg('overhead', 2000);
const TPS = 5;
const BURST = 5;
const LATENCY_MS = 150;

function settings(emu: RunningEmulator, env: Record<string, string>) {
  return loadConfig({ ...emu.env('creators'), ...env }).amazon;
}

/** `n` distinct codes: the catalog's codes first, then valid EAN-13s that match nothing. */
function codesOf(emu: RunningEmulator, n: number): string[] {
  const codes = [...new Set((emu.catalog.truth ?? []).map((t) => t.code))].slice(0, n);
  for (let i = 0; codes.length < n; i++) {
    const body = `20${String(i).padStart(10, '0')}`;
    codes.push(body + String(computeCheckDigit(body)));
  }
  return codes;
}

function stats429(emu: RunningEmulator): {
  requests: number;
  throttled: number;
  maxPerSecond: number;
} {
  const s = Object.values(emu.stats().credentials).find((c) => c.kind === 'creators');
  const search = s?.operations.searchItems;
  return {
    requests: search?.requests ?? 0,
    throttled: search?.status['429'] ?? 0,
    maxPerSecond: search?.maxPerSecond ?? 0,
  };
}

interface QuotaRow {
  name: string;
  seconds: number;
  ok: number;
  throttled: number;
  maxPerSecond: number;
}

/** Requests per second achieved over the run, as % of the allowed TPS. */
const pct = (r: QuotaRow): string => ((r.ok / r.seconds / TPS) * 100).toFixed(1);
/** Same without the initial burst and the last response's latency: the paced part only. */
const steadyPct = (r: QuotaRow): string =>
  (((r.ok - BURST) / (r.seconds - LATENCY_MS / 1000) / TPS) * 100).toFixed(1);

async function quotaRun(
  name: string,
  run: (emu: RunningEmulator) => Promise<number>,
): Promise<QuotaRow> {
  const emu = await startEmulator({
    port: 0,
    generate: { count: 200, seed: 1 },
    tps: TPS,
    burst: BURST,
    latencyMs: LATENCY_MS,
  });
  try {
    await delay(300);
    const started = performance.now();
    const ok = await run(emu);
    const seconds = (performance.now() - started) / 1000;
    const s = stats429(emu);
    return { name, seconds, ok, throttled: s.throttled, maxPerSecond: s.maxPerSecond };
  } finally {
    await emu.close();
  }
}

/** The client: all searches queued at once, the limiter paces and pipelines them. */
async function clientRun(emu: RunningEmulator): Promise<number> {
  const client = createAmazonClient(
    settings(emu, { AMAZON_TPS: String(TPS), AMAZON_BURST: String(BURST) }),
  );
  const out = await client.searchByCodes(codesOf(emu, SEARCHES));
  return [...out.values()].filter((o) => o.status !== 'error').length;
}

/** The naive loop: one call after the other with a fixed 1/TPS sleep between them. */
async function naiveRun(emu: RunningEmulator): Promise<number> {
  const client = createAmazonClient(settings(emu, { AMAZON_TPS: '1000', AMAZON_BURST: '1000' }));
  let ok = 0;
  for (const code of codesOf(emu, SEARCHES)) {
    const out = await client.searchByCodes([code]);
    if ([...out.values()][0]?.status !== 'error') ok += 1;
    await delay(1000 / TPS);
  }
  return ok;
}

/** µs per request: the client (limiter, token, body, parse, normalise) vs raw fetch. */
async function overhead(): Promise<{ clientUs: number; fetchUs: number }> {
  const emu = await startEmulator({
    port: 0,
    generate: { count: 200, seed: 1 },
    tps: 1e6,
    burst: 1e6,
    latencyMs: 0,
  });
  try {
    const client = createAmazonClient(
      settings(emu, { AMAZON_TPS: '1000000', AMAZON_BURST: '1000000' }),
    );
    const asin = emu.catalog.marketplaces['www.amazon.fr']?.products[0]?.asin as string;
    const env = emu.env('creators');
    const tokenRes = await fetch(env.AMAZON_CREATORS_TOKEN_URL as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: env.AMAZON_CREATORS_CREDENTIAL_ID as string,
        client_secret: env.AMAZON_CREATORS_CREDENTIAL_SECRET as string,
        scope: 'creatorsapi/default',
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const raw = async (): Promise<void> => {
      const res = await fetch(`${emu.url}/catalog/v1/getItems`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}, Version ${env.AMAZON_CREATORS_CREDENTIAL_VERSION}`,
          'x-marketplace': 'www.amazon.fr',
        },
        body: JSON.stringify({
          partnerTag: env.AMAZON_ASSOCIATE_TAG,
          itemIds: [asin],
          resources: [...ITEM_RESOURCES],
        }),
      });
      await res.json();
    };
    const viaClient = async (): Promise<void> => {
      await client.getItems([asin]);
    };
    // Alternating blocks, so that load from other processes falls on both paths alike.
    for (let i = 0; i < 200; i++) await raw();
    for (let i = 0; i < 200; i++) await viaClient();
    let fetchMs = 0;
    let clientMs = 0;
    const block = Math.max(1, Math.floor(OVERHEAD_N / 10));
    for (let round = 0; round < 10; round++) {
      let t = performance.now();
      for (let i = 0; i < block; i++) await raw();
      fetchMs += performance.now() - t;
      t = performance.now();
      for (let i = 0; i < block; i++) await viaClient();
      clientMs += performance.now() - t;
    }
    const fetchUs = (fetchMs * 1000) / (block * 10);
    const clientUs = (clientMs * 1000) / (block * 10);
    return { clientUs, fetchUs };
  } finally {
    await emu.close();
  }
}

const loadBefore = loadavg();
const client = await quotaRun('client (pipelined, limiter)', clientRun);
const naive = await quotaRun('naive loop (sequential + fixed 1/TPS sleep)', naiveRun);
const oh = await overhead();

const loadAfter = loadavg();
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
const cpu = cpus()[0]?.model ?? 'unknown';
const command = 'node --import tsx bench/amazon-quota.bench.ts';
const table = [
  `| run | searches | time (s) | achieved rate | % of allowed (${TPS} TPS) | % of allowed, steady state | 429s | max in any 1 s (emulator) |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...[client, naive].map(
    (r) =>
      `| ${r.name} | ${r.ok} | ${r.seconds.toFixed(2)} | ${(r.ok / r.seconds).toFixed(3)}/s | ${pct(r)} % | ${steadyPct(r)} % | ${r.throttled} | ${r.maxPerSecond} |`,
  ),
].join('\n');
const ohTable = [
  '| path (getItems, 1 ASIN, zero latency) | µs per request |',
  '|---|---:|',
  `| raw fetch to the same endpoint | ${oh.fetchUs.toFixed(0)} |`,
  `| client (limiter, retries, token, normalise) | ${oh.clientUs.toFixed(0)} |`,
  `| client overhead | ${(oh.clientUs - oh.fetchUs).toFixed(0)} |`,
].join('\n');
const md = `# Amazon client benchmark

Command: \`${command}\`

Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}. The emulator runs in the same process, with its default (strict) behaviour: a 429 carries no retry hint, so the client's own pacing and backoff are measured.
Load average (1 / 5 / 15 min) at start: ${load(loadBefore)}; at end: ${load(loadAfter)} (the machine is shared).

## Quota use

${SEARCHES} searches (Creators API protocol), emulator quota ${TPS} TPS, burst ${BURST}, ${LATENCY_MS} ms latency (±20 %).
Achieved rate = searches answered / wall time; the allowed rate is ${TPS}/s (the initial burst of ${BURST} lets a run slightly exceed 100 %).
Steady state = (searches − burst) / (wall time − one latency): the paced part alone.
The emulator counts "max in any 1 s" at arrival, as its limiter sees requests.

${table}

## Client overhead

${OVERHEAD_N} sequential requests each (10 alternating blocks), after 200 warm-up requests each, emulator quota unlimited. Both paths send the same body (same resources), so the emulator does the same work.

${ohTable}
`;
console.log(md);
mkdirSync('docs/benchmarks', { recursive: true });
writeFileSync('docs/benchmarks/amazon.md', md);
