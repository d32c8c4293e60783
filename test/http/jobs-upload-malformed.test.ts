import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { buildXlsx } from '../files/helpers/build-xlsx.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, upload } from './jobs-helpers.js';

/** A sheet of an EAN header and these rows (XML inside `<sheetData>`). */
function workbook(rows: string): Buffer {
  return buildXlsx({
    sheets: [
      { name: 'Codes', rows: `<row r="1"><c t="inlineStr"><is><t>EAN</t></is></c></row>${rows}` },
    ],
  });
}

const code = (r: number | string, ean: string): string =>
  `<row r="${r}"><c t="inlineStr"><is><t>${ean}</t></is></c></row>`;

function utf32(text: string, littleEndian: boolean): Buffer {
  const points = [...`\ufeff${text}`].map((c) => c.codePointAt(0) ?? 0);
  const bytes = Buffer.alloc(points.length * 4);
  points.forEach((p, i) =>
    littleEndian ? bytes.writeUInt32LE(p, i * 4) : bytes.writeUInt32BE(p, i * 4),
  );
  return bytes;
}

forEachDatabase('Code2ASIN uploads of malformed sheets', (ctx) => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    token = await t.tokenFor('uploader', ['read', 'write']);
  });
  after(() => t.close());

  const jobCount = async (): Promise<number> =>
    (await t.call({ method: 'GET', url: `${BASE}/jobs?per_page=200`, token })).json()
      .total as number;

  it('answers 400 saying which row, for a row listed twice, out of order or beyond row 1,048,576', async () => {
    const before = await jobCount();
    const cases: [string, RegExp][] = [
      [code(2, '3017620422003') + code(2, '3070123456784'), /lists row 2 after row 2/],
      [code(3, '3017620422003') + code(2, '3070123456784'), /lists row 2 after row 3/],
      [
        code(3_000_000_000, '3017620422003'),
        /row 3000000000 after row 1: Excel sheets have rows 1 to 1,048,576/,
      ],
      [
        code(2, '3017620422003') + code(2_147_483_648, '3070123456784'),
        /row 2147483648 after row 2/,
      ],
    ];
    for (const [rows, message] of cases) {
      const res = await upload(t, [], [{ name: 'forged.xlsx', content: workbook(rows) }], token);
      assert.equal(res.statusCode, 400, res.body);
      const error = errorOf(res);
      assert.equal(error.code, 'unreadable');
      assert.match(error.message, message);
      assert.match(error.message, /save it again/);
    }
    // Nothing half-stored: no job was created by any of them.
    assert.equal(await jobCount(), before);
  });

  it('keeps the sheet numbering of a valid sheet with gaps up to its last row', async () => {
    const rows =
      code(2, '3017620422003') + code(7, '3070123456784') + code(1_048_576, '0012345678905');
    const res = await upload(
      t,
      [['options', '{"auto_start":false}']],
      [{ name: 'gaps.xlsx', content: workbook(rows) }],
      token,
    );
    assert.equal(res.statusCode, 201, res.body);
    const { job } = res.json();
    assert.equal(job.counters.total_rows, 3);
    assert.equal(job.preflight.valid, 3);
  });

  it('reads UTF-32 files, little- and big-endian, with their byte order mark', async () => {
    const text = 'EAN;Désignation\r\n3017620422003;Pâte à tartiner\r\n3070123456784;Confiture\r\n';
    for (const littleEndian of [true, false]) {
      const res = await upload(
        t,
        [['options', '{"auto_start":false}']],
        [{ name: `utf32-${littleEndian ? 'le' : 'be'}.csv`, content: utf32(text, littleEndian) }],
        token,
      );
      assert.equal(res.statusCode, 201, res.body);
      const { job } = res.json();
      assert.equal(job.counters.total_rows, 2);
      assert.equal(job.preflight.valid, 2);
      assert.equal(job.preflight.invalid, 0);
    }
  });
});
