/**
 * The web UI on a large job (issue 14, "Measure"): a job of 100,000 results against the baseline
 * of the same job with 1,000, in the same run. Each job is seeded with the project's own store
 * functions (`createJob` with the codes, then the outcomes a finished matcher leaves: 75 % exact,
 * 5 % fuzzy found — both with product data —, 10 % to review with three candidates, 10 % not
 * found) in a fresh SQLite database,
 * served by `serve` (in this process, no worker) on loopback, and driven by Debian's Chromium:
 *   - jobs screen: the list until the job's link shows;
 *   - job page: until the first page of its results shows;
 *   - review queue: until the first result to review shows;
 *   - next by J (no request), next after a decision by A (one POST);
 *   - a filter change (match type "exact" in the queue: counted over the whole job, none left)
 *     until the queue says so;
 *   - CSV download: click until the browser reports the download started.
 * And the server's time per results page (`GET …/results`, keyset pages at random places, plain
 * and `review=true`), p50 / p99 over BENCH_PAGES requests.
 *
 * Timings are medians of BENCH_REPEAT (5) runs; figures depend on the machine, ratios against the
 * baseline of the same run less so. Run: node --import tsx bench/web-review-large.bench.ts
 * (BENCH_SIZES=1000,100000 BENCH_REPEAT=5 BENCH_PAGES=200 CHROMIUM_PATH=/usr/bin/chromium).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../src/config/env.js';
import { startServer, type RunningServer } from '../src/http/server.js';
import { createLogger } from '../src/logging/logger.js';
import { median, seedLargeJob } from './helpers/large-job.js';

const TOKEN = `c2a_bench_${'4'.repeat(40)}`;
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const PAGES = Number(process.env.BENCH_PAGES ?? 200);
const logger = createLogger({ level: 'error' });

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** p50 / p99 of the server's answer time for keyset pages of `query` at random places. */
async function pageTimes(server: RunningServer, jobId: string, query: string, size: number) {
  const times: number[] = [];
  for (let i = 0; i < PAGES; i += 1) {
    const after = Math.floor(Math.random() * size);
    const url = `${server.url}/api/v1/code2asin/jobs/${jobId}/results?per_page=50&after=${after}${query}`;
    times.push(
      await timed(async () => {
        const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
        if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
        await res.arrayBuffer();
      }),
    );
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

type Figures = Record<string, number>;

/** The Chromium timings of one job (medians of REPEAT runs). */
async function browserTimes(browser: Browser, server: RunningServer, jobId: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(300_000);
  const page = await context.newPage();
  await page.goto(`${server.url}/jobs`);
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor();
  const runs: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (runs[name] ??= []).push(ms);
  const selectedAt = (p: Page, n: number) =>
    p.locator(`.queue li:nth-child(${n})[aria-current="true"]`).waitFor();
  for (let r = 0; r < REPEAT; r += 1) {
    add(
      'jobs screen',
      await timed(async () => {
        await page.goto(`${server.url}/jobs`);
        await page
          .getByRole('link', { name: /^Fournisseur/ })
          .first()
          .waitFor();
      }),
    );
    add(
      'job page, first results page',
      await timed(async () => {
        await page.goto(`${server.url}/jobs/${jobId}`);
        await page.locator('table tbody tr').first().waitFor();
      }),
    );
    add(
      'CSV download starts',
      await timed(async () => {
        const download = page.waitForEvent('download');
        await page.getByRole('link', { name: 'Download CSV' }).click();
        await (await download).cancel();
      }),
    );
    add(
      'review queue, first result',
      await timed(async () => {
        await page.goto(`${server.url}/jobs/${jobId}/review`);
        await page.locator('.review-main[aria-busy="false"] .panel').waitFor();
      }),
    );
    add(
      'next result by J',
      await timed(async () => {
        await page.keyboard.press('j');
        await selectedAt(page, 2);
      }),
    );
    add(
      'decision by A, next result shown',
      await timed(async () => {
        await page.keyboard.press('a');
        await selectedAt(page, 3);
        await page.locator('.review-main[aria-busy="false"]').waitFor();
      }),
    );
    // Exact matches never need a person: the queue's count over the whole job comes back 0.
    add(
      'filter change (match type)',
      await timed(async () => {
        await page.getByLabel('Match type').selectOption('exact');
        await page.locator('.queue-done').waitFor();
      }),
    );
  }
  await context.close();
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])) as Figures;
}

async function measure(browser: Browser, size: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-web-bench-'));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    CODE2ASIN_WORKER: 'off',
    CODE2ASIN_ADMIN_TOKEN: TOKEN,
    CODE2ASIN_LOG_LEVEL: 'error',
  });
  const server = await startServer({ config, logger, port: 0, host: '127.0.0.1', print: () => {} });
  try {
    const seedStart = performance.now();
    const { id: jobId } = await seedLargeJob(server, { token: TOKEN, size, logger });
    const seeded = performance.now() - seedStart;
    const plain = await pageTimes(server, jobId, '', size);
    const review = await pageTimes(server, jobId, '&review=true', size);
    const ui = await browserTimes(browser, server, jobId);
    return {
      ...ui,
      'server: results page p50': plain.p50,
      'server: results page p99': plain.p99,
      'server: review page p50': review.p50,
      'server: review page p99': review.p99,
      'seeding (not a UI figure)': seeded,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadBefore = loadavg();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const results: Figures[] = [];
try {
  for (const size of SIZES) results.push(await measure(browser, size));
} finally {
  await browser.close();
}
const loadAfter = loadavg();
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const [base, large] = [SIZES[0]!, SIZES.at(-1)!];
console.log(
  `| measure | ${base.toLocaleString('en')} results (ms) | ${large.toLocaleString('en')} results (ms) | ratio |`,
);
console.log('| --- | ---: | ---: | ---: |');
for (const name of Object.keys(results[0]!)) {
  const a = results[0]![name]!;
  const b = results.at(-1)![name]!;
  console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)} |`);
}
console.log(
  `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(1)).join(' ')} after. Medians of ${REPEAT} browser runs, ${PAGES} server pages each.`,
);
