import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { startTestEmulator } from '../helpers/jobs.js';

/**
 * `code2asin map --provider spapi` end to end against the emulator at SP-API's published quota
 * (2 requests/s, burst 2) with the client's default pace for SP-API: every code answered as the
 * catalog's truth says, and no request refused.
 */
let dir: string;
let emu: RunningEmulator;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c2a-map-spapi-'));
  emu = await startTestEmulator({ tps: 2, burst: 2 });
});
after(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('map through SP-API', () => {
  it('maps a file with --provider spapi: truth ASINs, not found codes empty, 0 × 429', async () => {
    const truth = emu.catalog.truth ?? [];
    const found = truth.filter((t) => t.case === 'exact_unique' && t.asin).slice(0, 8);
    const upc = truth.filter((t) => t.case === 'upc_listing' && t.asin).slice(0, 3);
    const missing = truth.filter((t) => t.case === 'not_found').slice(0, 3);
    const rows = [...found, ...upc, ...missing];
    const file = join(dir, 'codes.csv');
    writeFileSync(file, `EAN\n${rows.map((t) => t.code).join('\n')}\n`);
    const out = join(dir, 'out.csv');
    const { AMAZON_PROVIDER: _omitted, ...env } = emu.env('spapi');
    const res = await runCli(['map', file, '-o', out, '--provider', 'spapi'], {
      ...env,
      CODE2ASIN_AMAZON_SOURCE: 'emulator',
      DATABASE_URL: `sqlite:${join(dir, 'map.db')}`,
      CODE2ASIN_SECRET_KEY: 'ab'.repeat(32),
    });
    assert.equal(res.code, 0, res.stderr);
    const [header, ...lines] = readFileSync(out, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const cols = (header ?? '').split(',');
    const asinAt = cols.indexOf('asin');
    assert.ok(asinAt >= 0, header);
    const byCode = new Map(lines.map((l) => [l.split(',')[0], l.split(',')[asinAt]]));
    for (const t of [...found, ...upc]) assert.equal(byCode.get(t.code), t.asin, t.code);
    for (const t of missing) assert.equal(byCode.get(t.code), '', t.code);
    const stats = emu.stats().credentials[env.AMAZON_SPAPI_CLIENT_ID as string];
    assert.ok(stats, 'the SP-API credential was used');
    assert.equal(stats.status['429'], 0);
    const searches = stats.operations.searchCatalogItems?.requests ?? 0;
    assert.ok(
      searches >= 1 && searches <= rows.length,
      `${searches} searches for ${rows.length} codes`,
    );
    assert.equal(
      emu.stats().credentials[emu.env('creators').AMAZON_CREATORS_CREDENTIAL_ID as string],
      undefined,
    );
  });

  it('refuses an unknown --provider naming the flag and the choices', async () => {
    const res = await runCli(['map', join(dir, 'codes.csv'), '--provider', 'keepax']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /--provider must be one of .*spapi/);
  });
});
