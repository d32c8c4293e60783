import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_FILE_LIMITS,
  FileError,
  FileLimitError,
  UnsupportedFormatError,
  detectFileFormat,
  openTable,
  resolveFileLimits,
} from '../../src/files/index.js';
import { buildZip } from './helpers/build-zip.js';
import { createTempDir, ean13, writeText, writeWorkbook } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());
const limits = resolveFileLimits();

async function refusal(path: string, code: string, options = limits): Promise<FileError> {
  const error = await detectFileFormat(path, options).then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof FileError, String(error));
  assert.equal(error.code, code, error.message);
  return error;
}

describe('detectFileFormat: what the bytes say', () => {
  it('reads a zip with xl/workbook.xml as XLSX whatever its extension', async () => {
    const path = await writeWorkbook(tmp.path('looks-like.csv'), [
      { name: 'S', rows: [['EAN'], [ean13(1)]] },
    ]);
    assert.equal((await detectFileFormat(path, limits)).kind, 'xlsx');
  });

  it('reads text as delimited for .csv, .tsv, .txt and no extension', async () => {
    for (const name of ['a.csv', 'a.tsv', 'a.txt', 'noext']) {
      const path = writeText(tmp.path(name), `EAN\n${ean13(1)}\n`);
      assert.equal((await detectFileFormat(path, limits)).kind, 'delimited', name);
    }
  });

  it('refuses an OLE compound file (.xls) even named .csv, naming the supported formats', async () => {
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...Buffer.alloc(504)]);
    writeFileSync(tmp.path('old.csv'), ole);
    const error = await refusal(tmp.path('old.csv'), 'unsupported_format');
    assert.ok(error instanceof UnsupportedFormatError);
    assert.equal(error.detectedFormat, 'xls');
    assert.match(error.message, /CSV, TSV, TXT .* XLSX/);
    assert.match(error.message, /Excel or LibreOffice and save it as \.xlsx or CSV UTF-8/);
  });

  it('refuses an ODS by its stored mimetype entry', async () => {
    const ods = buildZip([
      {
        name: 'mimetype',
        data: Buffer.from('application/vnd.oasis.opendocument.spreadsheet'),
        store: true,
      },
      { name: 'content.xml', data: Buffer.from('<office:document-content/>') },
    ]);
    writeFileSync(tmp.path('sheet.xlsx'), ods);
    const error = await refusal(tmp.path('sheet.xlsx'), 'unsupported_format');
    assert.equal(error.details.detectedFormat, 'ods');
    assert.match(error.message, /OpenDocument/);
  });

  it('refuses an Apple Numbers file and says how to export from Numbers', async () => {
    writeFileSync(
      tmp.path('x.numbers'),
      buildZip([{ name: 'Index/Document.iwa', data: Buffer.from('x') }]),
    );
    const error = await refusal(tmp.path('x.numbers'), 'unsupported_format');
    assert.match(error.message, /File > Export To/);
  });

  it('refuses other zips, PDF, HTML disguised as .xls, binary data and unknown extensions', async () => {
    writeFileSync(tmp.path('a.zip'), buildZip([{ name: 'readme.txt', data: Buffer.from('hi') }]));
    await refusal(tmp.path('a.zip'), 'unsupported_format');
    writeText(tmp.path('a.pdf'), '%PDF-1.7\n...');
    await refusal(tmp.path('a.pdf'), 'unsupported_format');
    writeText(tmp.path('export.xls'), '<html><table><tr><td>EAN</td></tr></table></html>');
    await refusal(tmp.path('export.xls'), 'unsupported_format');
    writeText(tmp.path('items.json'), '[{"ean": "4000000000016"}]');
    await refusal(tmp.path('items.json'), 'unsupported_format');
    writeFileSync(
      tmp.path('image.dat'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 0, 3, 0xff, 0, 0]),
    );
    await assert.rejects(openTable(tmp.path('image.dat')), { code: 'unsupported_format' });
  });

  it('reads tab-separated text exported with an .xls name', async () => {
    const path = writeText(tmp.path('export2.xls'), `EAN\tName\n${ean13(1)}\tA\n`);
    assert.equal((await detectFileFormat(path, limits)).kind, 'delimited');
  });

  it('refuses an empty file and a missing one', async () => {
    writeText(tmp.path('empty.csv'), '');
    await refusal(tmp.path('empty.csv'), 'empty_file');
    await refusal(tmp.path('missing.csv'), 'unreadable');
  });

  it('refuses a file over maxFileBytes with the limit and the option in the message', async () => {
    const path = writeText(tmp.path('big.csv'), `EAN\n${`${ean13(1)}\n`.repeat(200)}`);
    const error = await refusal(path, 'too_large', { ...limits, maxFileBytes: 1000 });
    assert.ok(error instanceof FileLimitError);
    assert.equal(error.details.limit, 1000);
    assert.match(error.message, /limit is 1,000 bytes.*maxFileBytes/);
    assert.equal(DEFAULT_FILE_LIMITS.maxFileBytes, 100 * 1024 * 1024);
  });
});

describe('detectFileFormat: zip bombs', () => {
  it('refuses a workbook whose declared content is over 100× its size', async () => {
    const bomb = buildZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(20 * 1024 * 1024, 0x20) },
    ]);
    writeFileSync(tmp.path('bomb.xlsx'), bomb);
    const error = await refusal(tmp.path('bomb.xlsx'), 'zip_bomb');
    assert.equal(error.details.option, 'maxCompressionRatio');
    assert.ok((error.details.actual as number) > 100);
    assert.match(error.message, /uncompressed/);
  });

  it('refuses a workbook over the absolute uncompressed cap', async () => {
    const path = await writeWorkbook(tmp.path('normal.xlsx'), [
      { name: 'S', rows: [['EAN'], [ean13(1)]] },
    ]);
    const error = await refusal(path, 'zip_bomb', { ...limits, maxUncompressedBytes: 2000 });
    assert.equal(error.details.option, 'maxUncompressedBytes');
  });

  it('refuses a truncated zip as unreadable', async () => {
    writeFileSync(tmp.path('cut.xlsx'), Buffer.from('PK\x03\x04 truncated'));
    await refusal(tmp.path('cut.xlsx'), 'unreadable');
  });
});
