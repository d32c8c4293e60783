import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { FileLimits, TableRow } from '../../src/files/index.js';
import { readXlsxRows } from '../../src/files/read-xlsx-rows.js';
import { buildXlsx } from './helpers/build-xlsx.js';
import type { XlsxSpec } from './helpers/build-xlsx.js';
import { createTempDir } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());
let files = 0;

function write(spec: XlsxSpec): string {
  files += 1;
  const path = tmp.path(`forged-${files}.xlsx`);
  writeFileSync(path, buildXlsx(spec));
  return path;
}

async function readAll(path: string, limits?: Partial<FileLimits>): Promise<TableRow[]> {
  const { batches } = readXlsxRows(path, undefined, limits);
  const rows: TableRow[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

/** A matcher for assert.rejects: the error's code, and these of its details. */
function failsWith(code: string, details: Record<string, unknown> = {}, message?: RegExp) {
  return (error: { code?: string; details?: Record<string, unknown>; message: string }) => {
    assert.equal(error.code, code);
    for (const [key, value] of Object.entries(details))
      assert.deepEqual(error.details?.[key], value, key);
    if (message) assert.match(error.message, message);
    return true;
  };
}

const sheet = (rows: string, sharedStrings?: string[]): string =>
  write({ sheets: [{ name: 'S', rows }], sharedStrings });

describe('XLSX reader: forged sheets', () => {
  it('stops a wide row at the first value beyond maxColumns, while the row streams in', async () => {
    // 200,000 cells without `r`: were the row built to its end, `actual` would be 200,000.
    const wide = `<row r="1">${'<c><v>1</v></c>'.repeat(200_000)}</row>`;
    await assert.rejects(readAll(sheet(wide)), {
      code: 'too_many_columns',
      details: { limit: 1000, actual: 1001, option: 'maxColumns', row: 1, column: 1001 },
    });
    await assert.rejects(readAll(sheet(wide), { maxColumns: 20 }), {
      code: 'too_many_columns',
      details: { limit: 20, actual: 21, option: 'maxColumns', row: 1, column: 21 },
    });
    // Placed by `r` too, and the row is numbered in the message.
    await assert.rejects(
      readAll(sheet('<row r="3"><c r="ALM3"><v>1</v></c></row>')),
      failsWith('too_many_columns', { row: 3, column: 1001 }, /Row 3 has a value in column 1,001/),
    );
  });

  it('refuses empty cells past column XFD (no value, so maxColumns alone would not stop them)', async () => {
    const rows = await readAll(
      sheet(`<row r="1"><c><v>1</v></c>${'<c s="1"/>'.repeat(16_383)}</row>`),
    );
    assert.deepEqual(rows, [{ rowNumber: 1, cells: [1] }]);
    await assert.rejects(readAll(sheet(`<row r="1">${'<c s="1"/>'.repeat(16_385)}</row>`)), {
      code: 'unreadable',
      message: /not a cell of an Excel sheet/,
    });
  });

  it('refuses a text longer than any cell before saxes holds it whole, wherever it is', async () => {
    // A comment is no cell: only the bound on what saxes buffers between chunks stops it.
    const comment = `<!--${'x'.repeat(300_000)}-->`;
    await assert.rejects(
      readAll(sheet(`${comment}<row r="1"><c><v>1</v></c></row>`)),
      failsWith('cell_too_long', {
        limit: 10_000,
        option: 'maxCellLength',
        entry: 'xl/worksheets/sheet1.xml',
      }),
    );
    const value = `<row r="1"><c t="str"><v>${'7'.repeat(200_000)}</v></c></row>`;
    await assert.rejects(readAll(sheet(value), { maxCellLength: 100 }), { code: 'cell_too_long' });
  });

  it('refuses nesting and attribute lists no workbook has', async () => {
    const deep = `<row r="1"><c><is>${'<r>'.repeat(70_000)}</is></c></row>`;
    await assert.rejects(readAll(sheet(deep)), { code: 'unreadable', message: /nests more than/ });
    const attributes = Array.from({ length: 20_000 }, (_, i) => `a${i}="1"`).join(' ');
    await assert.rejects(readAll(sheet(`<row r="1" ${attributes}><c><v>1</v></c></row>`)), {
      code: 'unreadable',
      message: /attributes/,
    });
  });

  it('bounds the shared strings by what the worksheets can use and by maxSharedStringBytes', async () => {
    const unused = Array.from({ length: 50_000 }, (_, i) => `s${i}`);
    // One cell: 1 string usable per 21 bytes of sheet XML, far fewer than 50,000.
    await assert.rejects(readAll(sheet('<row r="1"><c t="s"><v>0</v></c></row>', unused)), {
      code: 'too_many_strings',
      message: /more than the cells of its worksheets/,
    });
    const used = Array.from({ length: 200 }, (_, i) => `<c t="s"><v>${i}</v></c>`).join('');
    const strings = Array.from({ length: 200 }, (_, i) => `string number ${i}`);
    const path = sheet(`<row r="1">${used}</row>`, strings);
    assert.equal((await readAll(path))[0]?.cells[199], 'string number 199');
    // 200 × (4 + 16..18 characters) ≈ 4,300 bytes; non-Latin-1 text counts twice.
    await assert.rejects(
      readAll(path, { maxSharedStringBytes: 2000 }),
      failsWith('too_many_strings', { limit: 2000, option: 'maxSharedStringBytes' }),
    );
    const wide = sheet(
      `<row r="1">${used}</row>`,
      strings.map((text) => `${text}漢`),
    );
    const cost = 200 * 4 + strings.reduce((sum, text) => sum + (text.length + 1) * 2, 0);
    assert.equal(
      (await readAll(wide, { maxSharedStringBytes: cost }))[0]?.cells[0],
      'string number 0漢',
    );
    await assert.rejects(
      readAll(wide, { maxSharedStringBytes: cost - 1 }),
      failsWith('too_many_strings', { limit: cost - 1, actual: cost }),
    );
  });

  it('refuses a row listed twice, out of order, beyond row 1,048,576 or not numbered', async () => {
    const cases: [string, RegExp][] = [
      [
        '<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row><row r="2"><c><v>3</v></c></row>',
        /row 2 after row 2/,
      ],
      ['<row r="5"><c><v>1</v></c></row><row r="3"><c><v>2</v></c></row>', /row 3 after row 5/],
      [
        '<row r="1"><c><v>1</v></c></row><row r="3000000000"><c><v>2</v></c></row>',
        /row 3000000000 after row 1: Excel sheets have rows 1 to 1,048,576/,
      ],
      ['<row r="0"><c><v>1</v></c></row>', /row 0 as the first row/],
      ['<row r="2x"><c><v>1</v></c></row>', /row r="2x" as the first row: not a row number/],
    ];
    for (const [rows, message] of cases) {
      await assert.rejects(readAll(sheet(rows)), { code: 'unreadable', message });
    }
    // Rows without `r` follow the previous one; gaps keep the sheet's numbering.
    const ok = await readAll(
      sheet('<row><c><v>1</v></c></row><row r="4"><c><v>2</v></c></row><row><c><v>3</v></c></row>'),
    );
    assert.deepEqual(
      ok.map((r) => r.rowNumber),
      [1, 4, 5],
    );
  });
});
