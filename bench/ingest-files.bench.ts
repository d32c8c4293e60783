/**
 * Ingestion benchmark of src/files: the streaming readers plus parseCode over a 1,000,000-row
 * CSV and a 1,000,000-row XLSX, against csv-parse alone on the same CSV (the floor). Each case
 * runs in its own child process so peak RSS (`process.resourceUsage().maxRSS`) is per case.
 *
 *   node --import tsx bench/ingest-files.bench.ts
 *
 * Writes the Markdown table to docs/benchmarks/files.md.
 */
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { parseCode } from '../src/codes/index.js';
import { openTable } from '../src/files/index.js';

interface CaseResult {
  rows: number;
  valid: number;
  ms: number;
  /** Peak RSS of the case's own process (VmHWM). */
  peakRssMb: number;
  /** `process.resourceUsage().maxRSS`, which on Linux also counts the parent's RSS at fork. */
  maxRssMb: number;
}

const HEADER = ['EAN', 'Title', 'Brand', 'Price', 'Qty'];

function ean13(i: number): string {
  const body = `400${String(i).padStart(9, '0')}`;
  const sum = [...body].reverse().reduce((acc, d, k) => acc + Number(d) * (k % 2 === 0 ? 3 : 1), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

function row(i: number): string[] {
  return [
    ean13(i),
    `Product ${i % 5000} "Deluxe", ${i % 7} pack`,
    `Brand ${i % 300}`,
    `${(i % 10000) / 100}`,
    `${i % 50}`,
  ];
}

async function generateCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADER.join(',')}\n`);
  let buffer = '';
  for (let i = 0; i < rows; i += 1) {
    buffer += `${row(i)
      .map((c) => (c.includes(',') ? `"${c.replace(/"/g, '""')}"` : c))
      .join(',')}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/** Shared strings on, as Excel saves: the 1,000,000 distinct text codes go through the table. */
async function generateXlsx(path: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
  });
  const sheet = workbook.addWorksheet('Products');
  sheet.addRow(HEADER).commit();
  for (let i = 0; i < rows; i += 1) {
    const [code, title, brand, price, qty] = row(i);
    sheet.addRow([code, title, brand, Number(price), Number(qty)]).commit();
  }
  sheet.commit();
  await workbook.commit();
}

async function runFloor(path: string): Promise<Omit<CaseResult, 'maxRssMb' | 'peakRssMb'>> {
  const start = performance.now();
  let rows = 0;
  const parser = createReadStream(path).pipe(parse({ relax_column_count: true }));
  parser.on('data', () => {
    rows += 1;
  });
  await once(parser, 'end');
  return { rows: rows - 1, valid: 0, ms: performance.now() - start };
}

async function runReader(
  path: string,
  withParse = true,
): Promise<Omit<CaseResult, 'maxRssMb' | 'peakRssMb'>> {
  const start = performance.now();
  const table = await openTable(path);
  const index = table.detection.columns.code.index;
  let rows = 0;
  let valid = 0;
  for await (const r of table.rows) {
    rows += 1;
    const cell = r.cells[index] ?? null;
    if (withParse && parseCode(cell, { numericCell: typeof cell === 'number' }).valid) valid += 1;
  }
  return { rows, valid, ms: performance.now() - start };
}

async function child(kind: string, path: string): Promise<void> {
  if (kind === 'generate-csv' || kind === 'generate-xlsx') {
    const rows = Number(process.argv[5]);
    await (kind === 'generate-csv' ? generateCsv(path, rows) : generateXlsx(path, rows));
    return;
  }
  const result = kind === 'floor' ? await runFloor(path) : await runReader(path, kind === 'reader');
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ...result, maxRssMb, peakRssMb: peakRss() ?? maxRssMb }));
}

/**
 * VmHWM, the high-water mark of this process's own memory. `resourceUsage().maxRSS` is kept
 * as a second column only: Linux carries the parent's RSS at fork time into the child's
 * maxRSS, which made every case read 315 MB when the parent had generated the XLSX itself.
 */
function peakRss(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function generate(kind: 'generate-csv' | 'generate-xlsx', path: string, rows: number): void {
  const self = fileURLToPath(import.meta.url);
  execFileSync(process.execPath, ['--import', 'tsx', self, '--child', kind, path, String(rows)]);
}

function measure(kind: string, path: string, nodeFlags: string[] = []): CaseResult {
  const self = fileURLToPath(import.meta.url);
  const args = [...nodeFlags, '--import', 'tsx', self, '--child', kind, path];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as CaseResult;
}

/** Best of `runs` for time (the machine is shared), the highest peak RSS seen. */
function best(kind: string, path: string, runs: number, nodeFlags: string[] = []): CaseResult {
  const results = Array.from({ length: runs }, () => measure(kind, path, nodeFlags));
  const fastest = results.reduce((a, b) => (b.ms < a.ms ? b : a));
  return {
    ...fastest,
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'code2asin-bench-'));
  try {
    const files = {
      csv1m: join(dir, 'codes-1m.csv'),
      csv100k: join(dir, 'codes-100k.csv'),
      xlsx1m: join(dir, 'codes-1m.xlsx'),
      xlsx100k: join(dir, 'codes-100k.xlsx'),
    };
    // Generated in child processes so this parent stays small (see peakRss).
    generate('generate-csv', files.csv1m, 1_000_000);
    generate('generate-csv', files.csv100k, 100_000);
    generate('generate-xlsx', files.xlsx1m, 1_000_000);
    generate('generate-xlsx', files.xlsx100k, 100_000);
    const cases: [string, string, string, CaseResult][] = [
      ['csv-parse alone (floor)', 'floor', files.csv1m, best('floor', files.csv1m, 3)],
      ['CSV reader alone', 'reader-only', files.csv1m, best('reader-only', files.csv1m, 3)],
      ['CSV reader + parseCode', 'reader', files.csv1m, best('reader', files.csv1m, 3)],
      [
        'CSV reader + parseCode, 100k rows',
        'reader',
        files.csv100k,
        best('reader', files.csv100k, 3),
      ],
      ['XLSX reader alone', 'reader-only', files.xlsx1m, best('reader-only', files.xlsx1m, 3)],
      ['XLSX reader + parseCode', 'reader', files.xlsx1m, best('reader', files.xlsx1m, 3)],
      [
        'XLSX reader + parseCode, 100k rows',
        'reader',
        files.xlsx100k,
        best('reader', files.xlsx100k, 3),
      ],
    ];
    const markdown = report(cases);
    process.stdout.write(markdown);
    writeFileSync(fileURLToPath(new URL('../docs/benchmarks/files.md', import.meta.url)), markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What changed in the XLSX reader, with the figures before; kept in the generated page. */
const XLSX_NOTES = [
  '## XLSX reader',
  '',
  "Before (exceljs' streaming reader, same machine and files): XLSX reader + parseCode 14.16 s and",
  '270 MB peak RSS at 1M rows, 237 MB at 100k; 187 MB with `--max-old-space-size=128`. The live heap',
  'after each mark-compact was 33 MB; the rest was promoted garbage (a Row, Cells and Values per',
  'cell, handed over a whole XML chunk at a time) that V8 let reach 140-170 MB before collecting.',
  '',
  'Now (src/files/read-xlsx-rows.ts): the zip is read in place through its central directory, the',
  'shared strings first into a compact table, then the sheet inflated by node:zlib and parsed by',
  'saxes into plain rows. Rows are made without object or array literals so V8 cannot pretenure',
  'them: before that, about half of the 1M-row runs tenured the row allocation site while the',
  '1,000-row detection sample was alive, and peaked at 200-240 MB. What remains of the growth from',
  '100k to 1M rows is the shared string table itself (1,035,305 distinct strings, 14 MB of heap).',
  'About 100 MB of every peak is the process before it reads anything: Node, the tsx loader and',
  'the modules (exceljs alone about 20 MB, loaded through src/files/index.ts for the XLSX writer).',
];

function report(cases: [string, string, string, CaseResult][]): string {
  const floor = cases[0]?.[3].ms ?? 1;
  const lines = cases.map(([name, , path, r]) => {
    const mb = (statSync(path).size / 1024 / 1024).toFixed(1);
    const perSecond = Math.round((r.rows / r.ms) * 1000).toLocaleString('en-US');
    const vsFloor = path.endsWith('1m.csv') ? `${(r.ms / floor).toFixed(2)}×` : '—';
    return `| ${name} | ${r.rows.toLocaleString('en-US')} | ${mb} MB | ${(r.ms / 1000).toFixed(2)} s | ${perSecond} | ${vsFloor} | ${r.peakRssMb.toFixed(0)} MB | ${r.maxRssMb.toFixed(0)} MB |`;
  });
  const cpu = cpus();
  return [
    '# Ingestion benchmark (src/files)',
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared with other jobs), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    'Command: `node --import tsx bench/ingest-files.bench.ts`',
    '',
    'Each case runs in its own child process; time is the best of 3 runs, peak RSS the highest of the 3:',
    'VmHWM of that process (/proc/self/status); maxRSS is `process.resourceUsage().maxRSS`,',
    "which on Linux also includes the parent's RSS at fork time. The files have 5 columns",
    '(EAN, title with quotes and commas, brand, price, quantity); the XLSX is written with shared',
    'strings, as Excel saves, so its 1,000,000 distinct text codes go through the shared string table.',
    '',
    '| case | rows | file | time | rows/s | vs floor | peak RSS | maxRSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...lines,
    '',
    'Targets: CSV reader + parseCode at most 1.5× the floor; peak RSS under 200 MB for both formats,',
    'and flat from 100k to 1M rows.',
    '',
    ...XLSX_NOTES,
    '',
  ].join('\n');
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? '', process.argv[4] ?? '');
else await main();
