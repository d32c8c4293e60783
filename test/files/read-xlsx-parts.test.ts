import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openTable } from '../../src/files/index.js';
import type { FileLimits, TableRow } from '../../src/files/index.js';
import { readXlsxRows } from '../../src/files/read-xlsx-rows.js';
import type { XlsxInfo } from '../../src/files/read-xlsx-rows.js';
import { buildXlsx } from './helpers/build-xlsx.js';
import type { XlsxSpec } from './helpers/build-xlsx.js';
import { collect, createTempDir, ean13 } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());
let files = 0;

function write(spec: XlsxSpec): string {
  files += 1;
  const path = tmp.path(`book-${files}.xlsx`);
  writeFileSync(path, buildXlsx(spec));
  return path;
}

/** Every row of the sheet, as the reader gives them (no header or column detection). */
async function readAll(
  path: string,
  sheet?: string | number,
  limits?: Pick<FileLimits, 'maxCellLength'>,
): Promise<{ info: XlsxInfo; rows: TableRow[] }> {
  const { info, batches } = readXlsxRows(path, sheet, limits);
  const rows: TableRow[] = [];
  for await (const batch of batches) rows.push(...batch);
  return { info, rows };
}

async function rowsOf(spec: XlsxSpec): Promise<TableRow[]> {
  return (await readAll(write(spec))).rows;
}

describe('XLSX reader: workbook parts', () => {
  it('reads shared strings stored after the sheet, inline strings, rich text, and leaves phonetic guides out', async () => {
    const rows = await rowsOf({
      order: 'sheets-first',
      sharedStrings: [
        'EAN',
        '4000000000006',
        '<si><r><t>Crème </t></r><r><rPr><b/></rPr><t>brûlée</t></r></si>',
        '<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si>',
        '<si><t xml:space="preserve"> a &amp; b </t></si>',
      ],
      sheets: [
        {
          name: 'S',
          rows:
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c></row>' +
            '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v>4</v></c></row>' +
            '<row r="3"><c r="A3" t="inlineStr"><is><t>0012345678905</t></is></c>' +
            '<c r="B3" t="inlineStr"><is><r><t>In</t></r><r><rPr><i/></rPr><t>line</t></r><rPh><t>x</t></rPh></is></c></row>',
        },
      ],
    });
    assert.deepEqual(
      rows.map((r) => r.cells),
      [
        ['EAN', 'Crème brûlée'],
        ['4000000000006', '漢字', ' a & b '],
        ['0012345678905', 'Inline'],
      ],
    );
  });

  it('gives a formula its cached value, read by the cell type', async () => {
    const rows = await rowsOf({
      sheets: [
        {
          name: 'S',
          rows:
            '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>' +
            '<c r="C1" t="b"><f>TRUE()</f><v>1</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>' +
            '<c r="E1"><f t="shared" si="0"/><v>3017620422003</v></c><c r="F1"><f>NOW()</f></c></row>',
        },
      ],
    });
    assert.deepEqual(rows[0]?.cells, [2, 'ab', 'TRUE', '#DIV/0!', 3017620422003, null]);
  });

  it('places rows and cells by their r attribute, and after the previous one without it', async () => {
    const rows = await rowsOf({
      sheets: [
        {
          name: 'S',
          rows:
            '<row r="2"><c r="C2"><v>3</v></c><c r="F2" s="1"/></row>' +
            '<row><c><v>1</v></c><c t="b"><v>0</v></c></row>' +
            '<row r="9"/>' +
            '<x:row r="10" xmlns:x="urn:x"><x:c r="AA10" t="inlineStr"><x:is><x:t>wide</x:t></x:is></x:c></x:row>',
        },
      ],
    });
    assert.deepEqual(
      rows.map((r) => [r.rowNumber, r.cells.length, r.cells.filter((c) => c !== null)]),
      [
        [2, 3, [3]],
        [3, 2, [1, 'FALSE']],
        [9, 0, []],
        [10, 27, ['wide']],
      ],
    );
  });

  it('reads numbers in date styles as ISO dates, in the 1900 and 1904 systems, and other numbers raw', async () => {
    const styles =
      '<numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/><numFmt numFmtId="165" formatCode="0.00&quot; kg&quot;"/>' +
      '<numFmt numFmtId="166" formatCode="YYYY-MM-DD"/><numFmt numFmtId="167" formatCode="0\\m"/></numFmts>' +
      '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="11"/><xf numFmtId="166"/><xf numFmtId="167"/></cellXfs>';
    const cells =
      '<c r="A1" s="1"><v>45322</v></c><c r="B1" s="2"><v>45322.5</v></c><c r="C1" s="3"><v>12.5</v></c>' +
      '<c r="D1" s="4"><v>3017620422003</v></c><c r="E1" t="d"><v>2024-01-31T10:00:00</v></c>' +
      '<c r="F1" s="5"><v>45322</v></c><c r="G1" s="6"><v>5</v></c>';
    const rows = await rowsOf({
      styles,
      sheets: [{ name: 'S', rows: `<row r="1">${cells}</row>` }],
    });
    assert.deepEqual(rows[0]?.cells, [
      '2024-01-31',
      '2024-01-31T12:00:00',
      12.5,
      3017620422003,
      '2024-01-31T10:00:00',
      '2024-01-31',
      5,
    ]);
    const in1904 = await rowsOf({
      styles,
      date1904: true,
      sheets: [{ name: 'S', rows: '<row r="1"><c r="A1" s="1"><v>43860</v></c></row>' }],
    });
    assert.deepEqual(in1904[0]?.cells, ['2024-01-31']);
  });

  it('takes a sheet by name before position, passes over chart sheets, and says when a sheet holds no cells', async () => {
    const row = (text: string): string =>
      `<row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c></row>`;
    const spec: XlsxSpec = {
      sheets: [
        { name: 'Chart', chart: true },
        { name: 'Old', state: 'hidden', rows: row('old') },
        { name: 'Data', rows: row('data') },
        { name: '1', rows: row('named one') },
      ],
    };
    const path = write(spec);
    const first = await readAll(path);
    assert.deepEqual(first.info, {
      sheet: 'Data',
      sheetIndex: 3,
      sheetNames: ['Chart', 'Old', 'Data', '1'],
    });
    for (const [sheet, text] of [
      ['1', 'named one'],
      [2, 'old'],
      [' OLD ', 'old'],
    ] as const) {
      assert.deepEqual((await readAll(path, sheet)).rows[0]?.cells, [text], String(sheet));
    }
    await assert.rejects(readAll(path, 1), {
      code: 'sheet_not_found',
      message: /"Chart" holds no cells.*1\. Chart, 2\. Old, 3\. Data, 4\. 1/,
    });
    await assert.rejects(readAll(path, 5), {
      code: 'sheet_not_found',
      message: /no sheet "5"\. Its sheets are: 1\. Chart/,
    });
  });
});

describe('XLSX reader: limits and damaged files', () => {
  it('refuses an over-long cell as soon as it meets it, in the sheet or in the shared strings', async () => {
    const spec = (cell: string): XlsxSpec => ({
      sharedStrings: ['short', 'y'.repeat(500), 'z'.repeat(300)],
      sheets: [
        {
          name: 'S',
          rows: `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c>${cell}</row>`,
        },
      ],
    });
    const limits = { maxCellLength: 100 };
    const inline = `<c r="B2" t="inlineStr"><is><t>${'x'.repeat(150)}</t></is></c>`;
    await assert.rejects(readAll(write(spec(inline)), undefined, limits), {
      code: 'cell_too_long',
      details: { limit: 100, actual: 150, option: 'maxCellLength', row: 2, column: 2 },
    });
    await assert.rejects(readAll(write(spec('<c r="C2" t="s"><v>1</v></c>')), undefined, limits), {
      code: 'cell_too_long',
      details: { limit: 100, actual: 500, option: 'maxCellLength', row: 2, column: 3 },
    });
    // Long shared strings no cell uses are no error.
    assert.equal((await readAll(write(spec('')), undefined, limits)).rows.length, 2);
  });

  it('stops a part that inflates beyond the size its zip directory declares', async () => {
    const path = write({
      sheets: [{ name: 'S', rows: '<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(200) }],
      tamper: (entry) =>
        entry.name === 'xl/worksheets/sheet1.xml' ? { ...entry, declaredSize: 1000 } : entry,
    });
    await assert.rejects(readAll(path), {
      code: 'zip_bomb',
      details: { entry: 'xl/worksheets/sheet1.xml', declaredBytes: 1000 },
    });
  });

  it('reports malformed sheet XML and cells outside the sheet as unreadable', async () => {
    const open = (rows: string): Promise<unknown> =>
      readAll(write({ sheets: [{ name: 'S', rows }] }));
    await assert.rejects(open('<row r="1"><c r="A1"><v>1</v></c>'), {
      code: 'unreadable',
      message: /xl\/worksheets\/sheet1\.xml is not well-formed XML/,
    });
    await assert.rejects(open('<row r="1"><c r="ZZZZ1"><v>1</v></c></row>'), {
      code: 'unreadable',
      message: /"ZZZZ1", which is not a cell/,
    });
    const truncated = write({
      sheets: [{ name: 'S', rows: '<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(500) }],
      tamper: (entry) =>
        entry.name === 'xl/worksheets/sheet1.xml'
          ? { ...entry, data: entry.data.subarray(0, 4000) }
          : entry,
    });
    await assert.rejects(readAll(truncated), { code: 'unreadable' });
  });
});

describe('XLSX reader: streaming', () => {
  it('decodes characters split between inflated chunks', async () => {
    const text = 'Crème brûlée 日本 😀';
    const rows = Array.from(
      { length: 8000 },
      (_, i) =>
        `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>${text} ${i}</t></is></c></row>`,
    ).join('');
    const read = await rowsOf({ sheets: [{ name: 'S', rows }] });
    assert.equal(read.length, 8000);
    assert.ok(read.every((r, i) => r.cells[0] === `${text} ${i}`));
  });

  it(
    'releases the file when the table is closed before the end',
    { skip: !existsSync('/proc/self/fd') && 'needs /proc/self/fd (Linux)' },
    async () => {
      // Count the descriptors open on this file, not all of the process's: the runtime opens and
      // closes its own meanwhile (Node 24 closed one during this test on a CI run).
      const openOn = (file: string): number =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === file;
          } catch {
            return false; // closed between the listing and the look
          }
        }).length;
      const rows = Array.from(
        { length: 20_000 },
        (_, i) =>
          `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>${ean13(i)}</t></is></c></row>`,
      ).join('');
      const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>EAN</t></is></c></row>';
      const path = realpathSync(write({ sheets: [{ name: 'S', rows: header + rows }] }));
      assert.equal(openOn(path), 0);
      const table = await openTable(path);
      let read = 0;
      let openWhileReading = 0;
      for await (const _ of table.rows) {
        if (++read === 2000) {
          openWhileReading = openOn(path);
          break;
        }
      }
      assert.ok(openWhileReading > 0, 'the reader streams from the file');
      await table.close();
      assert.equal(openOn(path), 0);
      const again = await collect((await openTable(path)).rows);
      assert.deepEqual(again[19_999], { rowNumber: 20_001, cells: [ean13(19_999)] });
    },
  );
});
