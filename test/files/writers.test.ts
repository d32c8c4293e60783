import assert from 'node:assert/strict';
import { createWriteStream, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import {
  neutraliseFormula,
  openTable,
  writeCsv,
  writeJsonLines,
  writeXlsx,
} from '../../src/files/index.js';
import type { ResultRow, ResultTable, Table } from '../../src/files/index.js';
import {
  collect,
  createTempDir,
  ean13,
  writeText,
  writeWorkbook,
} from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());

async function written(write: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks);
}

const table = (rows: ResultRow[]): ResultTable => ({
  columns: ['EAN', 'Title'],
  extraColumns: ['asin', 'confidence'],
  rows,
});

describe('formula neutralisation', () => {
  it('prefixes cells starting with = + - @ tab or CR', () => {
    for (const cell of [
      '=1+1',
      '+cmd|" /C calc"!A0',
      '-2+3+cmd|x',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      '=HYPERLINK("http://x")',
    ]) {
      assert.equal(neutraliseFormula(cell), `'${cell}`, JSON.stringify(cell));
    }
  });

  it('leaves numbers, plain signed numbers, phone-like numbers and codes alone', () => {
    for (const cell of [
      -12.5,
      '-12.5',
      '+5',
      '-1,5',
      '-3e5',
      '+33 1 23 45 67 89',
      '+1 (555) 010-9999',
      ean13(1),
      'a=b',
      null,
    ]) {
      assert.equal(neutraliseFormula(cell), cell, JSON.stringify(cell));
    }
    assert.equal(neutraliseFormula('+33 1 23 A1'), "'+33 1 23 A1");
    assert.equal(neutraliseFormula('-1-1'), "'-1-1");
  });
});

describe('CSV writer', () => {
  it('writes a BOM, the header, the extra columns, CRLF and quotes where needed', async () => {
    const out = await written((o) =>
      writeCsv(
        table([
          { cells: [ean13(1), 'Milk, "whole"'], extra: ['B000000001', 0.95] },
          { cells: [ean13(2)] },
        ]),
        o,
      ),
    );
    assert.deepEqual([...out.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(
      out.subarray(3).toString('utf8'),
      `EAN,Title,asin,confidence\r\n${ean13(1)},"Milk, ""whole""",B000000001,0.95\r\n${ean13(2)},,,\r\n`,
    );
  });

  it("uses the input's delimiter and neutralises formulas", async () => {
    const out = await written((o) =>
      writeCsv(table([{ cells: ['=1+1', '@x;y'], extra: ['-12.5', '+cmd'] }]), o, {
        delimiter: ';',
        bom: false,
      }),
    );
    assert.equal(
      out.toString('utf8'),
      `EAN;Title;asin;confidence\r\n'=1+1;"'@x;y";-12.5;'+cmd\r\n`,
    );
  });

  it('keeps rows wider than the header aligned: extra columns go after the widest user cells', async () => {
    const out = await written((o) =>
      writeCsv(
        { columns: ['A'], extraColumns: ['asin'], rows: [{ cells: ['1', '2'], extra: ['X'] }] },
        o,
        { bom: false },
      ),
    );
    assert.equal(out.toString('utf8'), 'A,asin\r\n1,2,X\r\n');
  });
});

describe('XLSX and JSON Lines writers', () => {
  it('writes codes as text cells, keeps numbers numeric and neutralises formulas', async () => {
    const path = tmp.path('out.xlsx');
    await writeXlsx(
      table([{ cells: [3017620422003, '=cmd'], extra: ['B000000001', 0.9] }]),
      createWriteStream(path),
      { textColumns: [0] },
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const row = workbook.worksheets[0]?.getRow(2);
    assert.equal(row?.getCell(1).value, '3017620422003');
    assert.equal(row?.getCell(2).value, "'=cmd");
    assert.equal(row?.getCell(4).value, 0.9);
    assert.equal(workbook.worksheets[0]?.getRow(1).getCell(3).value, 'asin');
  });

  it('writes one JSON object per row keyed by column name, repeated names numbered', async () => {
    const out = await written((o) =>
      writeJsonLines(
        {
          columns: ['EAN', 'EAN'],
          extraColumns: ['asin'],
          rows: [{ cells: [ean13(1), 5], extra: [null] }],
        },
        o,
      ),
    );
    assert.deepEqual(
      out
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [{ EAN: ean13(1), 'EAN (2)': 5, asin: null }],
    );
  });
});

describe('round trip read → write → read', () => {
  const original = [
    ['EAN', 'Désignation', 'Prix', 'Notes'],
    [ean13(1), 'Crème brûlée', '4,99', 'multi\nline "quoted"'],
    ['0012345678905', 'Pâte; à tartiner', '-12.5', null],
    [ean13(3), '  padded  ', '+33 1 23 45 67 89', 'x'],
  ];

  async function reread(
    path: string,
    write: (t: Table, p: string) => Promise<unknown>,
    out: string,
  ) {
    const first = await openTable(path);
    await write(first, out);
    const second = await openTable(out);
    return { first: first.detection, second: second.detection, rows: await collect(second.rows) };
  }

  it('CSV keeps every original cell, the delimiter and the order, and appends the extra columns', async () => {
    const text = original
      .map((r) =>
        r
          .map((c) =>
            c === null ? '' : /[;"\n]|^\s|\s$/.test(c) ? `"${c.replace(/"/g, '""')}"` : c,
          )
          .join(';'),
      )
      .join('\r\n');
    const path = writeText(tmp.path('in.csv'), text);
    const { second, rows } = await reread(
      path,
      (t, out) => {
        const rows = (async function* () {
          for await (const row of t.rows) yield { cells: row.cells, extra: [`A${row.rowNumber}`] };
        })();
        return writeCsv(
          { columns: t.detection.columnNames, extraColumns: ['asin'], rows },
          createWriteStream(out),
          {
            delimiter: t.detection.text?.delimiter,
          },
        );
      },
      tmp.path('out.csv'),
    );
    assert.equal(second.text?.delimiter, ';');
    assert.equal(second.text?.encoding, 'utf-8-bom');
    assert.deepEqual(second.header, [...(original[0] as string[]), 'asin']);
    assert.deepEqual(
      rows.map((r) => r.cells),
      original.slice(1).map((r, i) => [...r, `A${i + 2}`]),
    );
    assert.ok(readFileSync(tmp.path('out.csv')).toString('utf8').includes('\r\n'));
  });

  it('XLSX keeps every original cell, numbers and text alike', async () => {
    const path = await writeWorkbook(tmp.path('in.xlsx'), [
      {
        name: 'S',
        rows: [
          ['EAN', 'Title', 'Qty'],
          [3017620422003, 'Crème', 3],
          ['0012345678905', 'Text code', null],
          [ean13(5), 'x', 2.5],
        ],
      },
    ]);
    const { rows } = await reread(
      path,
      (t, out) => {
        const rows = (async function* () {
          for await (const row of t.rows) yield { cells: row.cells, extra: ['B000000001'] };
        })();
        return writeXlsx(
          { columns: t.detection.columnNames, extraColumns: ['asin'], rows },
          createWriteStream(out),
        );
      },
      tmp.path('out.xlsx'),
    );
    assert.deepEqual(
      rows.map((r) => r.cells),
      [
        [3017620422003, 'Crème', 3, 'B000000001'],
        ['0012345678905', 'Text code', null, 'B000000001'],
        [ean13(5), 'x', 2.5, 'B000000001'],
      ],
    );
  });
});
