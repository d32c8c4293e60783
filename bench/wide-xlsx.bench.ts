/**
 * Forged XLSX files against the reader's memory (issue 13 §4): one `<row>` of 60,000,000
 * `<c><v>N</v></c>` cells, and 8,000,000 shared strings no cell uses, each under the upload
 * limit (100 MB) and the 100× compression guard. Each file is read by `openTable` in a child
 * process of its own, which reports its RSS before reading, its peak (VmHWM) and the time to
 * the answer. The baseline is the reader of BENCH_BASE_REF (default: the commit this branch
 * started from), exported with `git archive` and run on the same files in the same run.
 *
 * Run: node --import tsx bench/wide-xlsx.bench.ts
 * Experiments: BENCH_CELLS (60000000), BENCH_STRINGS (8000000), BENCH_BASE_REF (a commit, or
 * `none` to skip the baseline).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDeflateRaw } from 'node:zlib';
import type * as FilesModule from '../src/files/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CELLS = Number(process.env.BENCH_CELLS ?? 60_000_000);
const STRINGS = Number(process.env.BENCH_STRINGS ?? 8_000_000);
const BASE_REF = process.env.BENCH_BASE_REF ?? 'dc831e4';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

interface Entry {
  name: string;
  compressed: Buffer;
  size: number;
}

/** Deflates what `write` produces, piece by piece (never the whole part in memory). */
async function deflated(
  name: string,
  write: (push: (text: string) => Promise<void>) => Promise<void>,
): Promise<Entry> {
  const deflate = createDeflateRaw({ level: 6 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  let size = 0;
  const push = async (text: string): Promise<void> => {
    const bytes = Buffer.from(text);
    size += bytes.length;
    if (!deflate.write(bytes)) await once(deflate, 'drain');
  };
  await write(push);
  deflate.end();
  await once(deflate, 'end');
  return { name, compressed: Buffer.concat(chunks), size };
}

/** A zip of deflated entries (no CRC: the reader goes by the central directory's sizes). */
function zip(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.compressed.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(e.compressed.length, 20);
    dir.writeUInt32LE(e.size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, e.compressed);
    central.push(dir, name);
    offset += 30 + name.length + e.compressed.length;
  }
  const size = central.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

async function small(name: string, text: string): Promise<Entry> {
  return deflated(name, (push) => push(text));
}

async function workbook(sheet: Entry, strings?: Entry): Promise<Buffer> {
  return zip([
    await small(
      '[Content_Types].xml',
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ),
    await small(
      'xl/workbook.xml',
      `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    await small(
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>${strings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`,
    ),
    sheet,
    ...(strings ? [strings] : []),
  ]);
}

/**
 * Cell values are random digits: `<c><v>1</v></c>` throughout deflates 560 times, which the
 * compression guard (100×) refuses before anything is read; the issue's file was 13 MB.
 */
async function wideRow(): Promise<Buffer> {
  const sheet = await deflated('xl/worksheets/sheet1.xml', async (push) => {
    await push(
      `<?xml version="1.0"?><worksheet xmlns="${MAIN}"><sheetData><row r="1"><c t="inlineStr"><is><t>EAN</t></is></c></row><row r="2">`,
    );
    for (let i = 0; i < CELLS; i += 4096) {
      let block = '';
      for (let k = i; k < Math.min(CELLS, i + 4096); k += 1) {
        block += `<c><v>${Math.floor(Math.random() * 10)}</v></c>`;
      }
      await push(block);
    }
    await push('</row></sheetData></worksheet>');
  });
  return workbook(sheet);
}

async function unusedStrings(): Promise<Buffer> {
  const sheet = await small(
    'xl/worksheets/sheet1.xml',
    `<?xml version="1.0"?><worksheet xmlns="${MAIN}"><sheetData><row r="1"><c t="s"><v>0</v></c></row><row r="2"><c><v>4006381333931</v></c></row></sheetData></worksheet>`,
  );
  const strings = await deflated('xl/sharedStrings.xml', async (push) => {
    await push(`<?xml version="1.0"?><sst xmlns="${MAIN}"><si><t>EAN</t></si>`);
    for (let i = 0; i < STRINGS; i += 10_000) {
      let text = '';
      for (let k = i; k < Math.min(STRINGS, i + 10_000); k += 1) text += `<si><t>${k}</t></si>`;
      await push(text);
    }
    await push('</sst>');
  });
  return workbook(sheet, strings);
}

interface Measure {
  beforeMb: number;
  peakMb: number;
  ms: number;
  outcome: string;
}

/** In the child: read the file with the given source tree's openTable. */
async function child(src: string, path: string): Promise<void> {
  const { openTable } = (await import(
    pathToFileURL(join(src, 'files/index.ts')).href
  )) as typeof FilesModule;
  const rss = () => process.memoryUsage().rss / 2 ** 20;
  const beforeMb = rss();
  const t0 = performance.now();
  let outcome: string;
  try {
    const table = await openTable(path);
    let rows = 0;
    for await (const _ of table.rows) rows += 1;
    outcome = `read (${rows} rows)`;
  } catch (error) {
    outcome = (error as { code?: string }).code ?? String(error);
  }
  const ms = performance.now() - t0;
  const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const peakMb = Number(peak?.[1] ?? 0) / 1024;
  process.stdout.write(JSON.stringify({ beforeMb, peakMb, ms, outcome } satisfies Measure));
}

function measure(src: string, path: string): Measure {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', src, path], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as Measure;
}

/** The base commit's src/, exported beside a link to this checkout's node_modules. */
function exportBase(dir: string): string | null {
  if (BASE_REF === 'none') return null;
  const tree = join(dir, 'base');
  execFileSync('mkdir', ['-p', tree]);
  execFileSync('sh', [
    '-c',
    `git -C "${ROOT}" archive ${BASE_REF} src package.json | tar -x -C "${tree}"`,
  ]);
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  return join(tree, 'src');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-bench-wide-'));
  try {
    const cases = [
      {
        name: `one row of ${CELLS.toLocaleString('en-US')} cells`,
        path: join(dir, 'wide.xlsx'),
        build: wideRow,
      },
      {
        name: `${STRINGS.toLocaleString('en-US')} unused shared strings`,
        path: join(dir, 'strings.xlsx'),
        build: unusedStrings,
      },
    ];
    for (const c of cases) writeFileSync(c.path, await c.build());
    const base = exportBase(dir);
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
    const lines: string[] = [];
    for (const c of cases) {
      const mb = (statSync(c.path).size / 2 ** 20).toFixed(1);
      for (const [reader, src] of [
        ['this branch', join(ROOT, 'src')],
        [`base ${BASE_REF}`, base],
      ] as const) {
        if (!src) continue;
        const m = measure(src, c.path);
        lines.push(
          `| ${c.name} (${mb} MB) | ${reader} | ${m.outcome} | ${m.ms.toFixed(0)} | ${m.beforeMb.toFixed(0)} | ${m.peakMb.toFixed(0)} | +${(m.peakMb - m.beforeMb).toFixed(0)} |`,
        );
      }
    }
    const md = `## Forged wide sheets

Each file is read by \`openTable\` in a child process of its own: RSS before reading, peak RSS (VmHWM) and time to the answer. The baseline is the reader of commit ${BASE_REF} (the branch's start, \`git archive\`), on the same files in the same run.

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, shared with other work (load average ${load}). Command: \`node --import tsx bench/wide-xlsx.bench.ts\`.

| file | reader | answer | ms | RSS before MB | peak RSS MB | increase MB |
|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
    console.log(md);
    writeFileSync(fileURLToPath(new URL('../docs/benchmarks/wide-xlsx.md', import.meta.url)), md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string);
} else {
  await main();
}
