import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { createImageDownloader } from '../../src/jobs/image-downloads.js';
import { createImageStore, planImages } from '../../src/jobs/image-store.js';
import { fromJson } from '../../src/db/dialect.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, runWorkerUntilSettled } from '../helpers/jobs.js';

// A 1×1 PNG, and a second distinct one.
const PNG_A = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000f9f1b8ad0000000d49444154789c63f8cfc0f01f0005000201e2213b430000000049454e44ae426082',
  'hex',
);
const PNG_B = Buffer.concat([PNG_A, Buffer.from('extra')]);

let images: Server;
let base = '';
let emu: RunningEmulator;
before(async () => {
  images = createServer((req, res) => {
    if (req.url?.startsWith('/large'))
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(4096));
    else if (req.url?.startsWith('/a'))
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_A);
    else if (req.url?.startsWith('/b'))
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_B);
    else if (req.url?.startsWith('/html'))
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  const catalog = generateCatalog(60, 5);
  // Every other product's image is missing (404): logged, never fatal.
  catalog.marketplaces['www.amazon.fr']!.products.forEach((p, i) => {
    p.images = [i % 2 === 0 ? `${base}/a/${p.asin}.png` : `${base}/missing/${p.asin}.png`];
  });
  emu = await startEmulator({ port: 0, catalog, tps: 50, burst: 10 });
});
after(async () => {
  await emu.close();
  await new Promise((r) => images.close(r));
});

describe('image store', () => {
  it('stores by content hash, refuses non-images and oversized ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-img-'));
    const store = createImageStore({ dir, maxBytes: 1000 });
    const first = await store.save(`${base}/a/1.png`);
    const again = await store.save(`${base}/a/other-url.png`);
    assert.equal(first, again, 'same bytes, same file');
    assert.match(first, /^[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    assert.ok(existsSync(join(dir, first)));
    await assert.rejects(store.save(`${base}/html`), /not an image/);
    await assert.rejects(store.save(`${base}/large`), /over the 1000-byte image limit/);
    await assert.rejects(store.save(`${base}/nothing`), /HTTP 404/);
  });

  it('plans by mode: replace, append, skip', () => {
    assert.deepEqual(planImages('replace', ['u1', 'u2', 'u3'], ['old'], 2), {
      fetch: ['u1', 'u2'],
      keep: [],
    });
    assert.deepEqual(planImages('append', ['u1'], ['old'], 2), { fetch: ['u1'], keep: ['old'] });
    assert.deepEqual(planImages('skip', ['u1'], ['old'], 2), { fetch: [], keep: ['old'] });
    assert.deepEqual(planImages('skip', ['u1'], [], 2), { fetch: ['u1'], keep: [] });
  });
});

forEachDatabase('image downloads in a job', (db) => {
  it('downloads up to max images per found product, records local paths, logs failures without failing', async () => {
    const ctx = createTestJobsContext(db.database());
    const dir = mkdtempSync(join(tmpdir(), 'c2a-img-'));
    ctx.images = createImageDownloader(ctx, createImageStore({ dir }));
    const codes = emu.catalog
      .truth!.filter((t) => t.asin && t.case === 'exact_unique')
      .slice(0, 6)
      .map((t) => t.code);
    const job = await createJob(ctx, {
      owner: 'img',
      options: {
        name: 'Images',
        marketplaces: ['fr'],
        download_images: true,
        max_images_per_product: 3,
        image_mode: 'replace',
      },
      codes,
    });
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id], { settings: undefined });
    await ctx.images.idle();
    assert.equal(jobs[0]!.status, 'completed');
    const units = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['product', 'status'])
      .where('job_id', '=', job.id)
      .execute();
    const found = units.filter((u) => u.status === 'found');
    assert.ok(found.length > 0);
    let missing = 0;
    for (const u of found) {
      const p = fromJson<{ images: string[]; local_images: string[] }>(u.product);
      const expected = p!.images.filter((url) => !url.includes('/missing/')).length;
      missing += p!.images.length - expected;
      assert.equal(p?.local_images?.length, expected, JSON.stringify(p));
      for (const rel of p!.local_images) assert.ok(existsSync(join(dir, rel)));
    }
    const warnings = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select('message')
      .where('job_id', '=', job.id)
      .where('message', '=', 'Image download failed')
      .execute();
    assert.equal(warnings.length, missing);
    assert.ok(readdirSync(dir).length >= 1);
  });
});
