import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, it } from 'node:test';
import ExcelJS from 'exceljs';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, storedZip, upload } from './jobs-helpers.js';

const EXAMPLE_CSV = readFileSync(new URL('../../examples/codes.csv', import.meta.url));

async function xlsxFile(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Codes');
  sheet.addRow(['Référence', 'EAN', 'Désignation']);
  sheet.addRow(['R1', '3017620422003', 'Pâte à tartiner']);
  sheet.addRow(['R2', '3070123456784', 'Confiture']);
  sheet.addRow(['R3', '0012345678905', 'Stylo']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

forEachDatabase('Code2ASIN uploads', (ctx) => {
  let t: TestApp;
  let small: TestApp;
  let token: string;
  let uploads: string;
  const savedTmp = process.env.TMPDIR;
  before(async () => {
    t = await createTestApp(ctx.database());
    // About 2 KB: a tiny limit set through the configuration, as CODE2ASIN_UPLOAD_LIMIT_MB.
    small = await createTestApp(ctx.database(), { env: { CODE2ASIN_UPLOAD_LIMIT_MB: '0.002' } });
    token = await t.tokenFor('uploader', ['read', 'write', 'delete']);
    // Temp files go to a folder of this suite, to check that none is left behind.
    uploads = mkdtempSync(join(tmpdir(), 'c2a-upload-test-'));
    process.env.TMPDIR = uploads;
  });
  afterEach(() => {
    // Only this router's folders: exceljs' streaming reader leaves its own `tmp-*` sheet copies
    // (src/files reads one sheet and stops; reported to the files module's owner).
    const left = readdirSync(uploads).filter((f) => f.startsWith('c2a-upload-'));
    assert.deepEqual(left, [], 'a temp upload was left behind');
  });
  after(async () => {
    process.env.TMPDIR = savedTmp;
    if (savedTmp === undefined) delete process.env.TMPDIR;
    rmSync(uploads, { recursive: true, force: true });
    await t.close();
    await small.close();
  });

  const jobsOf = async (app: TestApp) =>
    (await app.call({ method: 'GET', url: `${BASE}/jobs?per_page=200`, token })).json()
      .total as number;

  it('creates a job from a CSV upload with every form field', async () => {
    const res = await upload(
      t,
      [
        ['name', 'Mapping Janvier 2026'],
        ['supplier_code', 'SUP-42'],
        ['marketplaces', 'fr'],
        ['marketplaces', 'de,it'],
        ['use_amazon_api', 'true'],
        ['column', 'EAN'],
        ['options', '{"auto_start": false, "refresh": true}'],
      ],
      [{ name: 'codes_ean.csv', content: EXAMPLE_CSV, type: 'text/csv' }],
      token,
    );
    assert.equal(res.statusCode, 201, res.body);
    const { job, status, message } = res.json();
    assert.equal(status, 'pending');
    assert.match(message, /not started: start it with POST/);
    assert.equal(job.name, 'Mapping Janvier 2026');
    assert.equal(job.supplier_code, 'SUP-42');
    assert.equal(job.owner, 'uploader');
    assert.deepEqual(job.marketplaces, ['www.amazon.fr', 'www.amazon.de', 'www.amazon.it']);
    assert.equal(job.source_file_name, 'codes_ean.csv');
    assert.equal(job.source_format, 'csv');
    assert.equal(job.options.refresh, true);
    assert.equal(job.options.column, 'EAN');
    const rows = EXAMPLE_CSV.toString('utf8').trim().split('\n').length - 1;
    assert.equal(job.counters.total_rows, rows);
    assert.ok(job.preflight.valid > 0);
  });

  it('creates a job from an XLSX upload; the name defaults to the file name', async () => {
    const res = await upload(
      t,
      [],
      [{ name: 'Fournisseur Mars.xlsx', content: await xlsxFile() }],
      token,
    );
    assert.equal(res.statusCode, 201, res.body);
    const { job } = res.json();
    assert.equal(job.name, 'Fournisseur Mars');
    assert.equal(job.source_format, 'xlsx');
    assert.deepEqual(job.marketplaces, ['www.amazon.fr']);
    assert.equal(job.counters.total_rows, 3);
    assert.equal(job.preflight.valid, 3);
    assert.equal(job.status, 'processing');
  });

  it('answers 413 naming the limit over CODE2ASIN_UPLOAD_LIMIT_MB, and keeps nothing', async () => {
    const before = await jobsOf(small);
    const big = `EAN\n${'3017620422003\n'.repeat(400)}`;
    const res = await upload(
      small,
      [['name', 'Too big']],
      [{ name: 'big.csv', content: big }],
      token,
    );
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(errorOf(res).code, 'too_large');
    assert.match(errorOf(res).message, /upload limit of 2,097 bytes/);
    assert.match(errorOf(res).message, /CODE2ASIN_UPLOAD_LIMIT_MB/);
    assert.equal(errorOf(res).details.limit, 2097);
    assert.equal(await jobsOf(small), before);
    const fits = await upload(
      small,
      [],
      [{ name: 'ok.csv', content: 'EAN\n3017620422003\n' }],
      token,
    );
    assert.equal(fits.statusCode, 201, fits.body);
  });

  it('answers 415 naming the supported formats for .xls, ODS, PDF and other zips', async () => {
    const ole = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(600),
    ]);
    const ods = storedZip({
      mimetype: 'application/vnd.oasis.opendocument.spreadsheet',
      'content.xml': '<x/>',
    });
    const files = [
      { name: 'old.xls', content: ole },
      { name: 'sheet.ods', content: ods },
      { name: 'archive.zip', content: storedZip({ 'a.txt': 'hello' }) },
      { name: 'scan.pdf', content: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n') },
    ];
    const before = await jobsOf(t);
    for (const file of files) {
      const res = await upload(t, [], [file], token);
      assert.equal(res.statusCode, 415, `${file.name}: ${res.body}`);
      assert.equal(errorOf(res).code, 'unsupported_format');
      assert.match(errorOf(res).message, /Supported formats: CSV, TSV, TXT .* and XLSX/);
    }
    assert.equal(await jobsOf(t), before);
  });

  it('answers 400 with the detection report for an empty file, a header only, or no code column', async () => {
    const before = await jobsOf(t);
    const empty = await upload(t, [], [{ name: 'empty.csv', content: '' }], token);
    assert.equal(empty.statusCode, 400);
    assert.equal(errorOf(empty).code, 'empty_file');
    const header = await upload(t, [], [{ name: 'header.csv', content: 'EAN;Nom\n' }], token);
    assert.equal(header.statusCode, 400);
    assert.equal(errorOf(header).code, 'empty_file');
    const noCodes = await upload(
      t,
      [],
      [{ name: 'names.csv', content: 'Nom;Ville\nDupont;Paris\nMartin;Lyon\nBernard;Lille\n' }],
      token,
    );
    assert.equal(noCodes.statusCode, 400);
    assert.equal(errorOf(noCodes).code, 'no_code_column');
    assert.deepEqual(errorOf(noCodes).details.columns, ['Nom', 'Ville']);
    assert.equal(errorOf(noCodes).details.sampledRows, 3);
    const wrongColumn = await upload(
      t,
      [['column', 'GTIN']],
      [{ name: 'c.csv', content: EXAMPLE_CSV }],
      token,
    );
    assert.equal(wrongColumn.statusCode, 400);
    assert.equal(errorOf(wrongColumn).code, 'column_not_found');
    assert.equal(await jobsOf(t), before);
  });

  it('answers 400 naming the field for a bad or missing form field', async () => {
    const file = { name: 'codes.csv', content: EXAMPLE_CSV };
    const cases: [
      [string, string][],
      { name: string; content: Buffer; field?: string }[],
      string,
    ][] = [
      [[['name', 'No file']], [], 'file'],
      [[['colour', 'red']], [file], 'colour'],
      [[['use_amazon_api', 'maybe']], [file], 'use_amazon_api'],
      [[['options', '{not json']], [file], 'options'],
      [[['options', '[1]']], [file], 'options'],
      [
        [
          ['name', 'a'],
          ['name', 'b'],
        ],
        [file],
        'name',
      ],
      [[], [{ ...file, field: 'upload' }], 'upload'],
      [[], [file, file], 'file'],
      [[['file', 'codes.csv']], [], 'file'],
    ];
    for (const [fields, files, field] of cases) {
      const res = await upload(t, fields, files, token);
      assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
      assert.equal(errorOf(res).code, 'validation_failed');
      assert.equal(errorOf(res).details.field, field);
    }
    const market = await upload(t, [['marketplaces', 'fr,zz']], [file], token);
    assert.equal(market.statusCode, 400);
    assert.equal(errorOf(market).code, 'invalid_options');
    const broken = await t.call({
      method: 'POST',
      url: `${BASE}/jobs`,
      token,
      payload: 'garbage',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    assert.equal(broken.statusCode, 400, broken.body);
  });

  it('sanitises the file name: no path, no control characters, length capped', async () => {
    const res = await upload(
      t,
      [['options', '{"auto_start": false}']],
      [{ name: '..\\..\\secret/../etc/co\u0007des<x>|.csv', content: EXAMPLE_CSV }],
      token,
    );
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().job.source_file_name, 'codes_x__.csv');
    const long = await upload(
      t,
      [],
      [{ name: `${'n'.repeat(400)}.csv`, content: EXAMPLE_CSV }],
      token,
    );
    assert.equal(long.statusCode, 201, long.body);
    const name = long.json().job.source_file_name as string;
    assert.equal(name.length, 200);
    assert.ok(name.endsWith('.csv'));
    const dots = await upload(t, [], [{ name: '...', content: EXAMPLE_CSV }], token);
    assert.equal(dots.json().job.source_file_name, 'upload');
  });
});
