/**
 * Job ingestion (issue 6 benchmark b): a CSV streams through files → codes → code2asin_rows and
 * code2asin_results (one unit per distinct code) in batched transactions, with the pre-flight
 * report, on SQLite and PostgreSQL; against csv-parse alone on the same file (the floor). Each
 * case runs in its own child process so its peak RSS (VmHWM) is its own.
 *
 *   node --import tsx bench/ingest-job.bench.ts [rows=1000000]   (BENCH_ROUNDS=3)
 */
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { createJob } from '../src/jobs/create-job.js';
import { openBenchJobs } from './helpers/jobs-context.js';

interface CaseResult {
  rows: number;
  ms: number;
  peakRssMb: number;
}

function ean13(i: number): string {
  const body = `400${String(i).padStart(9, '0')}`;
  const sum = [...body].reverse().reduce((acc, d, k) => acc + Number(d) * (k % 2 === 0 ? 3 : 1), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

async function generateCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('EAN;Désignation;Marque;Prix\n');
  let buf = '';
  for (let i = 0; i < rows; i += 1) {
    // 1 row in 10 repeats an earlier code, 1 in 100 is invalid: a realistic supplier file.
    const code =
      i % 100 === 99 ? `${ean13(i).slice(0, 12)}0` : i % 10 === 9 ? ean13(i - 5) : ean13(i);
    buf += `${code};Produit ${i % 5000} pack de ${i % 7};Marque ${i % 300};${(i % 10000) / 100}\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function runCase(kind: string, file: string, dbUrl: string): Promise<CaseResult> {
  const t0 = performance.now();
  if (kind === 'floor') {
    let rows = 0;
    for await (const _record of createReadStream(file).pipe(
      parse({ delimiter: ';', from_line: 2 }),
    ))
      rows += 1;
    return { rows, ms: performance.now() - t0, peakRssMb: peakRssMb() };
  }
  const ctx = await openBenchJobs(dbUrl, 1);
  const { database } = ctx;
  const t1 = performance.now();
  const job = await createJob(ctx, {
    owner: 'bench',
    options: { name: 'ingest', marketplaces: ['fr'], auto_start: false },
    file: { path: file, name: 'big.csv' },
  });
  const ms = performance.now() - t1;
  await database.close();
  return { rows: job.counters.total_rows, ms, peakRssMb: peakRssMb() };
}

async function main(): Promise<void> {
  const [, , mode, kind, file, dbUrl] = process.argv;
  if (mode === '--case') {
    process.stdout.write(JSON.stringify(await runCase(kind!, file!, dbUrl ?? '')));
    return;
  }
  const rowCounts = [Number(process.argv[2] ?? 1_000_000)];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (rowCounts[0]! >= 1_000_000) rowCounts.unshift(rowCounts[0]! / 10);
  const dir = mkdtempSync(join(tmpdir(), 'c2a-ingest-'));
  const self = fileURLToPath(import.meta.url);
  const { startEmbeddedPostgres } = (await import(
    '../scripts/embedded-postgres.mjs' as string
  )) as {
    startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }>;
  };
  const pg = process.env.TEST_DATABASE_URL ? null : await startEmbeddedPostgres();
  const pgUrl = process.env.TEST_DATABASE_URL ?? pg!.url;
  const lines: string[] = [];
  try {
    for (const rows of rowCounts) {
      const file = join(dir, `codes-${rows}.csv`);
      await generateCsv(file, rows);
      // Rounds interleave the cases, so that a slower spell of this shared machine weighs on
      // all of them; each figure is the median over the rounds, peak RSS the highest.
      const runs: Record<string, CaseResult[]> = { floor: [], sqlite: [], postgres: [] };
      for (let round = 0; round < rounds; round += 1) {
        for (const kind of ['floor', 'sqlite', 'postgres']) {
          const url =
            kind === 'sqlite'
              ? `sqlite:${join(dir, `bench-${rows}-${round}.db`)}`
              : kind === 'postgres'
                ? await freshPgDatabase(pgUrl, rows)
                : '';
          // The previous case's writes (SQLite's file, the server's checkpoint after a million
          // rows) flushed first, so that they do not slow this case's own fsyncs down.
          execFileSync('sync');
          const out = execFileSync(
            process.execPath,
            ['--import', 'tsx', self, '--case', kind, file, url],
            { encoding: 'utf8', maxBuffer: 1 << 20 },
          );
          const result = JSON.parse(out) as CaseResult;
          runs[kind]!.push(result);
          // Dropped at once: left there, its autovacuum would run during the next cases.
          if (kind === 'sqlite') rmSync(url.slice('sqlite:'.length), { force: true });
          if (kind === 'postgres') await dropPgDatabase(pgUrl, url);
          process.stderr.write(`${rows} rows ${kind} round ${round + 1}: ${out}\n`);
        }
      }
      const floorMs = median(runs.floor!.map((r) => r.ms));
      for (const kind of ['floor', 'sqlite', 'postgres']) {
        const r = runs[kind]!;
        const ms = median(r.map((x) => x.ms));
        const rssMb = Math.max(...r.map((x) => x.peakRssMb));
        const seconds = r.map((x) => (x.ms / 1000).toFixed(1)).join(' / ');
        lines.push(
          `| ${rows.toLocaleString('en')} | ${kind === 'floor' ? 'csv-parse alone (floor)' : `job ingestion, ${kind}`} | ${(ms / 1000).toFixed(1)} | ${seconds} | ${Math.round(r[0]!.rows / (ms / 1000)).toLocaleString('en')} | ${(ms / floorMs).toFixed(1)}× | ${rssMb} |`,
        );
      }
    }
  } finally {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const md = `## Job ingestion (rows → database)

A generated supplier CSV (\`EAN;Désignation;Marque;Prix\`, 1 row in 10 a duplicate code, 1 in 100 an invalid one) read, normalised and stored as rows and units of work in batched transactions, with the pre-flight report — the \`POST /jobs\` and \`code2asin map\` path up to the first request. Each case in its own process, ${rounds} rounds with the cases interleaved; the median is shown, and the time against the floor is median against median; peak RSS is the highest VmHWM of the rounds.

| rows | case | seconds (median) | each round | rows/s | time vs floor | peak RSS (MB) |
|---|---|---|---|---|---|---|
${lines.join('\n')}

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; PostgreSQL ${pg ? 'embedded (embedded-postgres, fsync off)' : 'from TEST_DATABASE_URL'}. Command: \`node --import tsx bench/ingest-job.bench.ts\`.
`;
  writeFileSync('docs/benchmarks/ingest-job.md', md);
  process.stdout.write(md);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function dropPgDatabase(server: string, url: string): Promise<void> {
  const pgmod = await import('pg');
  const client = new pgmod.default.Client({ connectionString: server });
  await client.connect();
  await client.query(`DROP DATABASE ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await client.query('CHECKPOINT');
  await client.end();
}

async function freshPgDatabase(server: string, rows: number): Promise<string> {
  const pgmod = await import('pg');
  const client = new pgmod.default.Client({ connectionString: server });
  await client.connect();
  const name = `c2a_bench_${rows}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

await main();
