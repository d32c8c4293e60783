import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { validateFile } from '../../src/files/index.js';
import type { ValidatedRow } from '../../src/files/index.js';
import { createTempDir, ean13, writeText, writeWorkbook } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());
const root = fileURLToPath(new URL('../../', import.meta.url));

const CSV = [
  'Réf;Désignation;EAN',
  `1;Nutella;${ean13(1)}`,
  `2;Typo;${ean13(1).slice(0, 12)}9`,
  `3;Repeat;${ean13(1)}`,
  '4;Empty;',
  '5;Short;12345',
  `6;Again;${ean13(1)}`,
  `7;Book;9780306406157`,
].join('\n');

/** `code2asin validate` through bin/ once main.ts registers it, through its module until then. */
function cliArgs(args: string[]): string[] {
  const wired = readFileSync(`${root}src/cli/main.ts`, 'utf8').includes('registerValidateCommand');
  return wired
    ? [`${root}bin/code2asin.js`, 'validate', ...args]
    : ['--import', 'tsx', `${root}test/files/helpers/validate-cli.ts`, 'validate', ...args];
}

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, cliArgs(args), {
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('validateFile', () => {
  it('counts by type and reason, finds duplicates and keeps examples with row numbers', async () => {
    const seen: ValidatedRow[] = [];
    const report = await validateFile(writeText(tmp.path('mixed.csv'), CSV), {
      onRow: (r) => void seen.push(r),
    });
    assert.deepEqual(report.counts, {
      rows: 7,
      valid: 4,
      invalid: 2,
      empty: 1,
      duplicates: 2,
      distinct: 2,
    });
    assert.deepEqual(report.byType, { 'EAN-13': 3, 'ISBN-13': 1 });
    assert.deepEqual(report.byReason, { bad_check_digit: 1, bad_length: 1 });
    assert.deepEqual(report.duplicates, {
      rows: 2,
      codes: 1,
      examples: [{ gtin14: `0${ean13(1)}`, code: ean13(1), rows: [2, 4, 7] }],
    });
    assert.deepEqual(
      report.examples.invalid.map((r) => [r.row, r.reason]),
      [
        [3, 'bad_check_digit'],
        [6, 'bad_length'],
      ],
    );
    assert.equal(seen.length, 7);
    assert.equal(seen[2]?.duplicateOf, 2);
    assert.equal(report.detection.columns.code.header, 'EAN');
  });
});

describe('code2asin validate', () => {
  it('prints the detection and the report, exit 0 even with invalid codes', async () => {
    const { code, stdout } = await runCli([writeText(tmp.path('cli.csv'), CSV)]);
    assert.equal(code, 0);
    assert.match(stdout, /Format {6}CSV, utf-8, delimiter ";"/);
    assert.match(stdout, /Columns {5}code {5}C \(column 3\) "EAN", by header/);
    assert.match(stdout, /title {4}B \(column 2\) "Désignation"/);
    assert.match(stdout, /Valid {7}4 {2}\(EAN-13 3, ISBN-13 1\)/);
    // Rows without a code count as invalid (`empty`), as in the pre-flight report and `map`.
    assert.match(stdout, /Invalid {5}3 \(bad_check_digit 1, bad_length 1, empty 1\)/);
    assert.match(stdout, /Duplicates {2}2 rows repeat 1 codes/);
    assert.match(stdout, /row 3: ".*" bad_check_digit/);
  });

  it('--json prints one document with every row', async () => {
    const { code, stdout } = await runCli([writeText(tmp.path('cli-json.csv'), CSV), '--json']);
    assert.equal(code, 0);
    const document = JSON.parse(stdout) as Record<string, unknown> & { rows: ValidatedRow[] };
    assert.equal(document.schema, 'code2asin.validate/1');
    assert.deepEqual(
      Object.keys(document).sort(),
      [
        'byReason',
        'byType',
        'counts',
        'detection',
        'duplicates',
        'examples',
        'rows',
        'schema',
      ].sort(),
    );
    assert.equal(document.rows.length, 7);
    assert.deepEqual(document.rows[0], {
      row: 2,
      raw: ean13(1),
      code: ean13(1),
      gtin14: `0${ean13(1)}`,
      type: 'EAN-13',
      valid: true,
      reason: null,
      message: null,
      flags: [],
      duplicateOf: null,
    });
    assert.equal(document.rows[4]?.reason, 'bad_length');
  });

  it('honours --column and --sheet', async () => {
    const path = await writeWorkbook(tmp.path('cli.xlsx'), [
      { name: 'First', rows: [['x'], ['y']] },
      {
        name: 'Codes',
        rows: [
          ['Ref', 'Supplier'],
          [ean13(1), ean13(2)],
        ],
      },
    ]);
    const { code, stdout } = await runCli([
      path,
      '--sheet',
      'Codes',
      '--column',
      'Supplier',
      '--json',
    ]);
    assert.equal(code, 0, stdout);
    const document = JSON.parse(stdout) as {
      rows: ValidatedRow[];
      detection: { sheet: { sheet: string } };
    };
    assert.equal(document.detection.sheet.sheet, 'Codes');
    assert.equal(document.rows[0]?.code, ean13(2));
  });

  it('exits non-zero with a clear message when the file cannot be read', async () => {
    const xls = tmp.path('old.xls');
    writeText(xls, '');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(xls, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]));
    const text = await runCli([xls]);
    assert.equal(text.code, 2);
    assert.match(text.stderr, /Excel 97-2003.*save it as \.xlsx or CSV UTF-8/);
    const json = await runCli([xls, '--json']);
    assert.equal(json.code, 2);
    assert.equal(
      (JSON.parse(json.stdout) as { error: { code: string } }).error.code,
      'unsupported_format',
    );
    const missing = await runCli([tmp.path('missing.csv')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /There is no file ".*missing\.csv"/);
    assert.doesNotMatch(missing.stderr, /ENOENT/);
  });
});
