import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmulatorCatalog, RunningEmulator } from '../../src/emulator/index.js';
import { CatalogError, generateCatalog, loadCatalogFile } from '../../src/emulator/index.js';
import { hasValidGs1Check, isValidIsbn10 } from '../../src/emulator/gtin.js';
import { creatorsCall, creatorsToken, startTestEmulator } from './helpers.js';

type Item = { asin: string; parentASIN?: string };

describe('generateCatalog', () => {
  it('is deterministic for a seed, secrets included, and differs across seeds', () => {
    assert.deepEqual(generateCatalog(300, 42), generateCatalog(300, 42));
    assert.notDeepEqual(generateCatalog(300, 42).credentials, generateCatalog(300, 43).credentials);
  });

  it('has exactly N products, every case, valid check digits and a consistent truth table', () => {
    const catalog = generateCatalog(500, 1);
    const products = catalog.marketplaces['www.amazon.fr']?.products ?? [];
    assert.equal(products.length, 500);
    const cases = new Set(catalog.truth?.map((t) => t.case));
    for (const c of [
      'exact_unique',
      'upc_listing',
      'isbn13_listing',
      'isbn10_listing',
      'duplicate_listings',
      'parent_child',
      'title_only',
      'noisy_search',
      'no_external_ids',
      'noise_only',
      'not_found',
      'many_hits',
    ])
      assert.ok(cases.has(c), c);
    for (const p of products) {
      for (const code of [...(p.eans ?? []), ...(p.upcs ?? [])])
        assert.ok(hasValidGs1Check(code), code);
      for (const code of p.isbns ?? []) assert.ok(isValidIsbn10(code), code);
    }
    const asins = new Set(products.map((p) => p.asin));
    for (const t of catalog.truth ?? []) if (t.asin) assert.ok(asins.has(t.asin), t.asin);
    const exact = (catalog.truth ?? []).filter((t) => t.case === 'exact_unique').length;
    assert.ok(exact / (catalog.truth ?? []).length > 0.3, 'exact matches dominate');
  });

  it('small catalogs still contain every case', () => {
    const cases = new Set(generateCatalog(40, 5).truth?.map((t) => t.case));
    assert.ok(cases.size >= 12);
  });
});

describe('catalog files', () => {
  it('a bad catalog names the bad path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-'));
    const file = join(dir, 'bad.json');
    const catalog = generateCatalog(10, 1) as EmulatorCatalog;
    (catalog.marketplaces['www.amazon.fr']?.products[3] as { asin: string }).asin = 'lowercase';
    writeFileSync(file, JSON.stringify(catalog));
    assert.throws(
      () => loadCatalogFile(file),
      (e: unknown) =>
        e instanceof CatalogError &&
        /\$\.marketplaces\.www\.amazon\.fr\.products\[3\]\.asin/.test(e.message),
    );
    writeFileSync(file, '{');
    assert.throws(() => loadCatalogFile(file), CatalogError);
  });

  it('the demo catalog loads', () => {
    const demo = loadCatalogFile(
      new URL('../../examples/demo-catalog.json', import.meta.url).pathname,
    );
    assert.ok(Object.keys(demo.marketplaces).length >= 2);
  });
});

describe('search like Amazon', () => {
  let emu: RunningEmulator;
  let token: string;
  const search = (body: Record<string, unknown>) =>
    creatorsCall(
      emu,
      'searchItems',
      { resources: ['itemInfo.externalIds', 'parentASIN'], ...body },
      { token },
    );
  const asins = (res: { body: Record<string, unknown> }) =>
    ((res.body.searchResult as { items: Item[] } | undefined)?.items ?? []).map((i) => i.asin);
  before(async () => {
    emu = await startTestEmulator();
    token = await creatorsToken(emu);
  });
  after(() => emu.close());

  it('UPC-A and its EAN-13 find the same item', async () => {
    const a = await search({ keywords: '0049634061629' });
    const b = await search({ keywords: '049634061629' });
    assert.deepEqual(asins(a), ['B0DEMO0010']);
    assert.deepEqual(asins(b), ['B0DEMO0010']);
  });

  it('ISBN-10 and ISBN-13 find the same book', async () => {
    const byIsbn13 = await search({ keywords: '9782253001096' });
    const byIsbn10 = await search({ keywords: '2253001090' });
    assert.deepEqual(asins(byIsbn13), ['2253001090']);
    assert.deepEqual(asins(byIsbn10), ['2253001090']);
  });

  it('duplicates, parent and child, title-only and noise come back together', async () => {
    assert.deepEqual(
      asins(await search({ keywords: '3012345678902', availability: 'IncludeOutOfStock' })).length,
      3,
    );
    assert.deepEqual(
      asins(await search({ keywords: '3012345678902' })).length,
      2,
      'out of stock hidden by default',
    );
    const pc = asins(await search({ keywords: '3761234000101' }));
    assert.ok(pc.includes('B0DEMO0030') && pc.includes('B0DEMO0031'));
    assert.deepEqual(asins(await search({ keywords: '3291234000110' })), ['B0DEMO0040']);
    const noisy = asins(await search({ keywords: '3401111000120' }));
    assert.ok(noisy.length >= 3 && noisy.includes('B0DEMO0050'));
  });

  it('more than 10 hits: the right item is on page 2', async () => {
    const page1 = await search({ keywords: '3760099000158' });
    assert.equal((page1.body.searchResult as { totalResultCount: number }).totalResultCount, 12);
    assert.equal(asins(page1).length, 10);
    assert.ok(!asins(page1).includes('B0DEMO0060'));
    const page2 = await search({ keywords: '3760099000158', itemPage: 2 });
    assert.deepEqual(asins(page2), ['B0DEMOX010', 'B0DEMO0060']);
    const page3 = await search({ keywords: '3760099000158', itemPage: 3 });
    assert.equal(page3.status, 404);
  });

  it('words search titles and brands, accents ignored', async () => {
    const res = await search({ keywords: 'gourde isotherme', itemCount: 2 });
    assert.equal((res.body.searchResult as { totalResultCount: number }).totalResultCount, 4);
    assert.equal(asins(res).length, 2);
    assert.deepEqual(asins(await search({ keywords: 'lingettes', brand: 'Dermalis' })), [
      'B0DEMO0009',
    ]);
    assert.equal((await search({ keywords: 'lingettes', brand: 'Scripto' })).status, 404);
    assert.ok(asins(await search({ keywords: 'peaux seches' })).includes('B0DEMO0006'));
  });
});
