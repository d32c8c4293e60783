import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { after, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { openTable, validateFile, writeXlsx } from '../../src/files/index.js';
import { collect, createTempDir, ean13, writeWorkbook } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());

describe('XLSX reader', () => {
  it('reads numeric cells as numbers, never through display formatting', async () => {
    const path = tmp.path('numbers.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Products');
    sheet.addRow(['EAN', 'Price']);
    const row = sheet.addRow([3017620422003, 0.1 + 0.2]);
    row.getCell(1).numFmt = '0.00E+00'; // displayed as 3.02E+12 in Excel
    sheet.addRow([12345678905, 2]); // a UPC-A that lost its leading zero
    await workbook.xlsx.writeFile(path);
    const table = await openTable(path);
    const rows = await collect(table.rows);
    assert.deepEqual(rows[0], { rowNumber: 2, cells: [3017620422003, 0.3] });
    assert.deepEqual(rows[1]?.cells, [12345678905, 2]);
    assert.equal(table.detection.format, 'xlsx');
    assert.equal(table.detection.columns.code.header, 'EAN');
  });

  it('uses cached formula results, joins rich text, writes dates as ISO and keeps text codes', async () => {
    const path = await writeWorkbook(tmp.path('values.xlsx'), [
      {
        name: 'S',
        rows: [
          ['EAN', 'Title', 'Added', 'Flag', 'Link', 'Error'],
          [
            { formula: 'TEXT(4000000000016,"0")', result: '4000000000016' },
            { richText: [{ text: 'Crème ', font: { bold: true } }, { text: 'brûlée' }] },
            new Date(Date.UTC(2024, 0, 31)),
            true,
            { text: 'Shop page', hyperlink: 'https://example.com' },
            { error: '#N/A' },
          ],
          [
            '0012345678905',
            'Text code',
            new Date(Date.UTC(2024, 0, 31, 13, 45)),
            false,
            null,
            null,
          ],
        ],
      },
    ]);
    const rows = await collect((await openTable(path)).rows);
    assert.deepEqual(rows[0]?.cells, [
      '4000000000016',
      'Crème brûlée',
      '2024-01-31',
      'TRUE',
      'Shop page',
      '#N/A',
    ]);
    assert.deepEqual(rows[1]?.cells, [
      '0012345678905',
      'Text code',
      '2024-01-31T13:45:00',
      'FALSE',
    ]);
  });

  it('reads the first visible sheet by default, or the one named or numbered', async () => {
    const path = tmp.path('sheets.xlsx');
    const workbook = new ExcelJS.Workbook();
    const hidden = workbook.addWorksheet('Notes', { state: 'hidden' });
    hidden.addRow(['note']);
    workbook.addWorksheet('Main').addRow(['EAN']).commit();
    workbook.getWorksheet('Main')?.addRow([ean13(1)]);
    const third = workbook.addWorksheet('Other sheet');
    third.addRow(['GTIN']);
    third.addRow([ean13(3)]);
    await workbook.xlsx.writeFile(path);

    const first = await openTable(path);
    assert.equal(first.detection.sheet?.sheet, 'Main');
    assert.equal(first.detection.sheet?.sheetIndex, 2);
    assert.deepEqual(first.detection.sheet?.sheetNames, ['Notes', 'Main', 'Other sheet']);
    assert.deepEqual((await collect(first.rows))[0]?.cells, [ean13(1)]);

    for (const sheet of ['other SHEET', 3, '3']) {
      const table = await openTable(path, { sheet });
      assert.equal(table.detection.sheet?.sheet, 'Other sheet', String(sheet));
      assert.deepEqual((await collect(table.rows))[0]?.cells, [ean13(3)]);
    }
  });

  it('says which sheets exist when the one asked for does not', async () => {
    const path = await writeWorkbook(tmp.path('two.xlsx'), [
      { name: 'A', rows: [['EAN'], [ean13(1)]] },
      { name: 'B', rows: [['EAN'], [ean13(2)]] },
    ]);
    await assert.rejects(openTable(path, { sheet: 'Prices' }), {
      code: 'sheet_not_found',
      message: /no sheet "Prices"\. Its sheets are: 1\. A, 2\. B/,
    });
  });

  it('reads a workbook written without shared strings (exceljs streaming writer)', async () => {
    const path = tmp.path('inline.xlsx');
    const rows = (async function* () {
      for (let i = 0; i < 50; i += 1) yield { cells: [ean13(i), `Title ${i}`] };
    })();
    await writeXlsx({ columns: ['EAN', 'Title'], rows }, createWriteStream(path));
    const read = await collect((await openTable(path)).rows);
    assert.equal(read.length, 50);
    assert.deepEqual(read[49], { rowNumber: 51, cells: [ean13(49), 'Title 49'] });
  });

  it('keeps sheet row numbers when rows are missing, and validates numeric cells that lost zeros', async () => {
    const path = tmp.path('gaps.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.getCell('A1').value = 'UPC';
    sheet.getCell('A3').value = 12345678905;
    sheet.getCell('A7').value = 36000291452;
    await workbook.xlsx.writeFile(path);
    const report = await validateFile(path);
    assert.equal(report.counts.valid, 2);
    assert.deepEqual(
      report.examples.valid.map((r) => [r.row, r.code, r.flags.includes('repaired_leading_zeros')]),
      [
        [3, '0012345678905', true],
        [7, '0036000291452', true],
      ],
    );
  });

  it('refuses a cell over maxCellLength and a row over maxColumns', async () => {
    const path = await writeWorkbook(tmp.path('limits.xlsx'), [
      {
        name: 'S',
        rows: [
          ['EAN', 'Title'],
          [ean13(1), 'x'.repeat(300)],
        ],
      },
    ]);
    await assert.rejects(openTable(path, { limits: { maxCellLength: 200 } }), {
      code: 'cell_too_long',
    });
    await assert.rejects(openTable(path, { limits: { maxColumns: 1 } }), {
      code: 'too_many_columns',
    });
  });

  it('reports a corrupt workbook as unreadable', async () => {
    const { buildZip } = await import('./helpers/build-zip.js');
    const { writeFileSync } = await import('node:fs');
    const zip = buildZip([
      {
        name: 'xl/workbook.xml',
        data: Buffer.from('<workbook><sheets><sheet name="S" sheetId="1"'),
      },
      {
        name: 'xl/worksheets/sheet1.xml',
        data: Buffer.from('<worksheet><sheetData><row r="1"><c r="A1"'),
      },
    ]);
    writeFileSync(tmp.path('corrupt.xlsx'), zip);
    await assert.rejects(openTable(tmp.path('corrupt.xlsx')), (error: { code?: string }) =>
      ['unreadable', 'empty_file'].includes(error.code ?? ''),
    );
  });
});

describe('XLSX reader temporary files', () => {
  it('leaves no temporary sheet copy behind once the sheet is read (shared strings after the sheets)', async () => {
    const { readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const mine = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`));
    // exceljs' streaming writer puts xl/sharedStrings.xml after the sheets, as Excel does;
    // exceljs' reader copied such sheets to temporary files. This reader reads the zip in
    // place, and this checks it stays so.
    const path = tmp.path('late-strings.xlsx');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: path,
      useSharedStrings: true,
    });
    for (const name of ['First', 'Second']) {
      const sheet = workbook.addWorksheet(name);
      sheet.addRow(['EAN', 'Title']).commit();
      for (let i = 0; i < 50; i += 1) sheet.addRow([ean13(i), `Product ${i}`]).commit();
      sheet.commit();
    }
    await workbook.commit();
    const before = mine().length;
    for (const sheet of [undefined, 'Second']) {
      const table = await openTable(path, sheet === undefined ? {} : { sheet });
      assert.equal((await collect(table.rows)).length, 50);
      await table.close();
    }
    // exceljs removes a copy asynchronously (tmp's remove callback): give it a moment.
    for (let i = 0; i < 50 && mine().length > before; i += 1)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(mine().length, before, `left: ${mine().join(', ')}`);
  });
});
