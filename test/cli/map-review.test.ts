import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { EmulatorCatalog } from '../../src/emulator/index.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';

// Issue 19 end to end: a supplier sells a single jar; its EAN is listed only on the 12-pack.
// The result file must not put that ASIN in `asin`: it is a proposal (`proposed_asin`,
// status `to_review`), while an ordinary unit is accepted.
const UNIT_ON_PACK = '3245390063014';
const PLAIN_UNIT = '3245390063021';
const PACK_ASIN = 'B0PACK0012';
const UNIT_ASIN = 'B0UNIT0001';

let emu: RunningEmulator;
before(async () => {
  const base = generateCatalog(10, 5);
  const market = base.marketplaces['www.amazon.fr'];
  assert.ok(market);
  const listing = (asin: string, title: string, ean: string) => ({
    asin,
    title,
    brand: 'Andros',
    eans: [ean],
    price: 4.2,
    availability: 'IN_STOCK' as const,
  });
  market.products.push(
    listing(PACK_ASIN, 'Andros Confiture fraise 370 g - Lot de 12', UNIT_ON_PACK),
    listing(UNIT_ASIN, 'Andros Confiture abricot 370 g', PLAIN_UNIT),
  );
  const catalog: EmulatorCatalog = { ...base, noise: { unrelatedPerCodeSearch: 0 } };
  emu = await startEmulator({ port: 0, catalog, tps: 20, burst: 1 });
});
after(async () => emu.close());

function runMap(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'map', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
}

forEachDatabase('code2asin map: proposals for review', (db) => {
  it('a unit row on a 12-pack listing: empty asin, proposed_asin filled, status to_review', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-review-'));
    const input = join(dir, 'supplier.csv');
    writeFileSync(
      input,
      `EAN;Title;Brand;Quantity\n${UNIT_ON_PACK};Confiture fraise 370 g;Andros;1\n${PLAIN_UNIT};Confiture abricot 370 g;Andros;1\n`,
    );
    const res = await runMap([input, '-o', join(dir, 'out.csv')], {
      ...emu.env('creators'),
      DATABASE_URL: db.url(),
      AMAZON_TPS: '20',
      AMAZON_BURST: '1',
      CODE2ASIN_SECRET_KEY: 'ef'.repeat(32),
    });
    assert.equal(res.code, 0, res.out);
    assert.match(res.out, /to review 1/);

    const [header, ...rows] = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split(/\r?\n/);
    const columns = (header ?? '').split(';');
    const cell = (line: string, name: string) => line.split(';')[columns.indexOf(name)] ?? '';
    assert.ok(columns.includes('proposed_asin'), header);
    const onPack = rows.find((r) => r.startsWith(UNIT_ON_PACK));
    const plain = rows.find((r) => r.startsWith(PLAIN_UNIT));
    assert.ok(onPack && plain, rows.join('\n'));
    assert.equal(cell(onPack, 'status'), 'to_review');
    assert.equal(cell(onPack, 'asin'), '');
    assert.equal(cell(onPack, 'proposed_asin'), PACK_ASIN);
    assert.match(cell(onPack, 'reasons'), /pack_mismatch: row 1, listing 12/);
    assert.equal(cell(plain, 'status'), 'found');
    assert.equal(cell(plain, 'asin'), UNIT_ASIN);
    assert.equal(cell(plain, 'proposed_asin'), '');
  });
});
