import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { amazonReadiness } from '../../src/amazon/readiness.js';
import { formatStartupReport } from '../../src/cli/startup-report.js';
import { loadConfig } from '../../src/config/env.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { formatEta } from '../../src/jobs/format-eta.js';
import { writeWorkbook } from '../files/helpers/file-fixtures.js';
import { runCli } from '../helpers/cli.js';
import { searchRequests, startTestEmulator } from '../helpers/jobs.js';

/**
 * What a newcomer meets in the first hour (issue #21): one set of figures, ETAs in words,
 * sentences instead of ENOENT, a start-up that names what is missing.
 */
let dir: string;
let emu: RunningEmulator;
// 5 rows: a valid code, a bad check digit, an empty cell, a short code, a duplicate.
const FILE = 'EAN;Name\n3017620422003;a\n3017620422004;b\n;c\n12345;d\n3017620422003;e\n';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c2a-first-hour-'));
  writeFileSync(join(dir, 'codes.csv'), FILE);
  emu = await startTestEmulator();
});
after(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the first hour', () => {
  it('ETAs are requests ÷ rate in sensible units', () => {
    assert.equal(formatEta(4), 'about 4 s');
    assert.equal(formatEta(0.4), 'about 1 s');
    assert.equal(formatEta(59), 'about 59 s');
    assert.equal(formatEta(90), 'about 2 min');
    assert.equal(formatEta(4200), 'about 1 h 10 min');
    assert.equal(formatEta(7170), 'about 2 h');
  });

  it('validate and map count invalid codes the same way, with the same breakdown', async () => {
    const file = join(dir, 'codes.csv');
    const validate = await runCli(['validate', file]);
    assert.equal(validate.code, 0, validate.stderr);
    const breakdown = '3 (bad_check_digit 1, bad_length 1, empty 1)';
    assert.match(validate.stdout, new RegExp(`Invalid\\s+${breakdown.replace(/[()]/g, '\\$&')}`));
    const map = await runCli(['map', file, '-o', join(dir, 'out.csv')], {
      ...emu.env('creators'),
      AMAZON_TPS: '1',
      DATABASE_URL: `sqlite:${join(dir, 'map.db')}`,
      CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
    });
    assert.equal(map.code, 0, map.stderr);
    assert.match(map.stderr, /3 invalid \(bad_check_digit 1, bad_length 1, empty 1\)/);
    // 1 request at 1 request/s: about 1 s, not "about 1 min".
    assert.match(map.stderr, /1 to query \(1 requests, about 1 s at the quota\)/);
  });

  it('a ;-separated file with decimal commas gets decimal commas in the added columns; --decimal overrides', async () => {
    const truth = (emu.catalog.truth ?? []).find((t) => t.case === 'exact_unique' && t.asin);
    assert.ok(truth);
    const file = join(dir, 'fournisseur.csv');
    writeFileSync(file, `EAN;Désignation;Prix\n${truth.code};Produit;4,29\n`);
    const env = {
      ...emu.env('creators'),
      AMAZON_TPS: '20',
      DATABASE_URL: `sqlite:${join(dir, 'locale.db')}`,
      CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
    };
    const confidenceOf = (csv: string) => {
      const [header, row] = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
      const i = (header ?? '').split(';').indexOf('confidence');
      return (row ?? '').split(';')[i];
    };
    const fr = join(dir, 'fr.csv');
    assert.equal((await runCli(['map', file, '-o', fr], env)).code, 0);
    assert.match(confidenceOf(readFileSync(fr, 'utf8')) ?? '', /^0,\d+$/);
    const point = join(dir, 'point.csv');
    assert.equal((await runCli(['map', file, '-o', point, '--decimal', 'point'], env)).code, 0);
    assert.match(confidenceOf(readFileSync(point, 'utf8')) ?? '', /^0\.\d+$/);
  });

  it('XLSX results hold the added numbers as numbers and the codes as text, whatever the input wrote', async () => {
    const truth = emu.catalog.truth ?? [];
    const ean = truth.find((t) => t.case === 'exact_unique' && t.asin)?.code;
    const upc = truth.find((t) => t.case === 'upc_listing' && t.asin)?.code;
    assert.ok(ean && upc?.startsWith('0'), 'the catalog has an EAN and a 0-led UPC-as-EAN');
    const env = {
      ...emu.env('creators'),
      AMAZON_TPS: '20',
      DATABASE_URL: `sqlite:${join(dir, 'xlsx.db')}`,
      CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
    };
    // A French CSV (decimal commas, even asked for) and an XLSX whose EAN is a numeric cell.
    const csv = join(dir, 'fournisseur-xlsx.csv');
    writeFileSync(csv, `EAN;Désignation;Prix\n${ean};Produit;4,29\n${upc};Autre;12,50\n`);
    const book = await writeWorkbook(join(dir, 'fournisseur.xlsx'), [
      {
        name: 'S',
        rows: [
          ['EAN', 'Prix'],
          [Number(ean), 4.29],
          [upc, 12.5],
        ],
      },
    ]);
    for (const [input, args, userPrice] of [
      [csv, ['--decimal', 'comma'], '4,29'],
      [book, [], 4.29],
    ] as const) {
      const out = `${input}.out.xlsx`;
      const res = await runCli(['map', input, '-o', out, ...args], env);
      assert.equal(res.code, 0, res.stderr);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(out);
      const sheet = workbook.worksheets[0]!;
      const header = (sheet.getRow(1).values as unknown[]).map(String);
      const cell = (row: number, name: string) => sheet.getRow(row).getCell(header.indexOf(name));
      assert.deepEqual([cell(2, 'EAN').value, cell(3, 'EAN').value], [ean, upc], input);
      assert.equal(cell(2, 'EAN').type, ExcelJS.ValueType.String);
      // The user's own cells as they were written; the added ones numeric, never "0,95" text.
      assert.equal(cell(2, 'Prix').value, userPrice);
      for (const row of [2, 3]) {
        assert.equal(cell(row, 'status').value, 'found', `${input} row ${row}`);
        assert.equal(cell(row, 'confidence').type, ExcelJS.ValueType.Number, `${input} ${row}`);
        for (const name of ['price', 'rating', 'review_count', 'sales_rank']) {
          const { type } = cell(row, name);
          assert.ok(type === ExcelJS.ValueType.Number || type === ExcelJS.ValueType.Null, name);
        }
      }
      const prices = [2, 3].filter((r) => typeof cell(r, 'price').value === 'number');
      assert.ok(prices.length > 0, `${input}: no numeric price to check`);
    }
  });

  it('a missing file gets a sentence naming it, not ENOENT', async () => {
    for (const command of ['validate', 'map']) {
      const res = await runCli([command, join(dir, 'nope.csv')], {
        DATABASE_URL: `sqlite:${join(dir, 'missing.db')}`,
      });
      assert.equal(res.code, 2, `${command}: ${res.stderr}`);
      assert.match(res.stderr, /There is no file ".*nope\.csv"/);
      assert.doesNotMatch(res.stderr, /ENOENT/);
    }
  });

  it('map without Amazon settings stops at once naming them, sends nothing and never says refused', async () => {
    const before = searchRequests(emu);
    const res = await runCli(['map', join(dir, 'codes.csv'), '-o', join(dir, 'none.csv')], {
      DATABASE_URL: `sqlite:${join(dir, 'none.db')}`,
      CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
      AMAZON_ASSOCIATE_TAG: '',
      AMAZON_CREATORS_CREDENTIAL_ID: '',
      AMAZON_CREATORS_CREDENTIAL_SECRET: '',
    });
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stdout, /waiting_for_amazon/);
    assert.match(res.stdout, /AMAZON_ASSOCIATE_TAG, AMAZON_CREATORS_CREDENTIAL_ID/);
    assert.doesNotMatch(res.stdout + res.stderr, /refused/i);
    assert.equal(searchRequests(emu), before);
  });

  it('the start-up block names each missing setting, both ways to set it, and the demo', () => {
    const config = loadConfig({});
    const text = formatStartupReport({
      command: 'serve',
      url: 'http://127.0.0.1:8080',
      databaseUrl: 'postgres://u:hunter2secret@db:5432/c2a',
      workerMode: 'process',
      amazon: amazonReadiness(config.amazon, config.amazonSource),
    });
    assert.match(text, /Address\s+http:\/\/127\.0\.0\.1:8080/);
    assert.match(text, /Database\s+postgres:\/\/u@db:5432\/c2a/);
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /Worker\s+process/);
    assert.match(text, /creators on www\.amazon\.fr \(Amazon\): NOT READY/);
    for (const [variable, field] of [
      ['AMAZON_ASSOCIATE_TAG', 'associate_tag'],
      ['AMAZON_CREATORS_CREDENTIAL_ID', 'creators_credential_id'],
      ['AMAZON_CREATORS_CREDENTIAL_SECRET', 'creators_credential_secret'],
    ])
      assert.match(text, new RegExp(`${variable}\\s+\\(config field "${field}"\\)`));
    assert.match(text, /PUT .*http:\/\/127\.0\.0\.1:8080\/api\/v1\/amazon\/config/);
    assert.match(text, /npx code2asin demo/);
    assert.match(text, /npx code2asin tokens create --admin/);
  });
});
