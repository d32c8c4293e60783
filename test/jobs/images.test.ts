import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { createImageDownloader } from '../../src/jobs/image-downloads.js';
import { createImageStore, planImages } from '../../src/jobs/image-store.js';
import { fromJson } from '../../src/db/dialect.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, emulatorSettings, runWorkerUntilSettled } from '../helpers/jobs.js';
import { imagePolicy } from '../../src/jobs/image-policy.js';
import { OutboundError } from '../../src/net/outbound-error.js';
import { createOutboundClient, type OutboundClient } from '../../src/net/outbound-request.js';

// A 1×1 PNG, and a second distinct one.
const PNG_A = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000f9f1b8ad0000000d49444154789c63f8cfc0f01f0005000201e2213b430000000049454e44ae426082',
  'hex',
);
const PNG_B = Buffer.concat([PNG_A, Buffer.from('extra')]);

let images: Server;
let base = '';
let emu: RunningEmulator;
/** Requests the image listener received for the review's loopback image (must stay 0). */
let loopbackImageRequests = 0;
const CDN = 'http://m.media-amazon.com';
before(async () => {
  images = createServer((req, res) => {
    if (req.url?.startsWith('/img0')) loopbackImageRequests += 1;
    // Never answered: only the store's time limit can end the request.
    if (req.url?.startsWith('/stall')) return;
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
  // Images on Amazon's CDN, one in three missing (404: logged, never fatal), and one in three
  // on a loopback listener that is not the configured endpoint (refused, never requested).
  catalog.marketplaces['www.amazon.fr']!.products.forEach((p) => {
    // By the ASIN's last character: spread over every kind of product (index order is not).
    const i = p.asin.charCodeAt(p.asin.length - 1);
    p.images = [
      [`${CDN}/a/${p.asin}.png`, `${CDN}/missing/${p.asin}.png`, `${base}/img0._SL500_.jpg`][
        i % 3
      ]!,
    ];
  });
  emu = await startEmulator({ port: 0, catalog, tps: 50, burst: 10 });
});
after(async () => {
  await emu.close();
  images.closeAllConnections();
  await new Promise((r) => images.close(r));
});

/**
 * Amazon's image host resolves to a public address (injected: no DNS), and every connection the
 * guard allows is routed to the loopback image listener: no request leaves the machine.
 */
function cdnOnLoopback(cdnAddress = '52.94.236.248'): OutboundClient {
  return createOutboundClient({
    resolve: async (host) =>
      host === 'm.media-amazon.com' ? [{ address: cdnAddress, family: 4 }] : [],
    connect: () => netConnect({ host: '127.0.0.1', port: (images.address() as AddressInfo).port }),
  });
}

describe('image store', () => {
  it('stores by content hash, refuses non-images and oversized ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-img-'));
    // The listener stands for the configured endpoint (the emulator): its origin is trusted.
    const policy = () =>
      imagePolicy({ creators: { apiUrl: base }, paapi: { endpoint: undefined } });
    const store = createImageStore({ dir, maxBytes: 1000, policy });
    const first = await store.save(`${base}/a/1.png`);
    const again = await store.save(`${base}/a/other-url.png`);
    assert.equal(first, again, 'same bytes, same file');
    assert.match(first, /^[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    assert.ok(existsSync(join(dir, first)));
    await assert.rejects(store.save(`${base}/html`), /not an image/);
    await assert.rejects(store.save(`${base}/large`), /over the 1000-byte limit/);
    await assert.rejects(store.save(`${base}/nothing`), /HTTP 404/);
  });

  // Without a time limit the request would wait for ever: the test's own timeout names that.
  it(
    'gives up on an image that does not arrive within its time limit',
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'c2a-img-'));
      const policy = () =>
        imagePolicy({ creators: { apiUrl: base }, paapi: { endpoint: undefined } });
      const store = createImageStore({ dir, timeoutMs: 200, policy });
      await assert.rejects(
        store.save(`${base}/stall/1.png`),
        (error: unknown) => error instanceof OutboundError && error.code === 'timeout',
      );
      assert.deepEqual(readdirSync(dir), [], 'nothing stored');
    },
  );

  it("fetches only from Amazon's image hosts at public addresses, or the configured endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-img-'));
    const policy = () => imagePolicy(emulatorSettings(emu));
    const store = createImageStore({ dir, policy, outbound: cdnOnLoopback() });
    assert.match(await store.save(`${CDN}/a/1.png`), /\.png$/);
    loopbackImageRequests = 0;
    const refused = (code: string) => (error: unknown) =>
      error instanceof OutboundError && error.code === code;
    await assert.rejects(store.save(`${base}/img0._SL500_.jpg`), refused('host_not_allowed'));
    await assert.rejects(store.save('file:///etc/passwd'), refused('scheme_not_allowed'));
    const rebound = createImageStore({ dir, policy, outbound: cdnOnLoopback('127.0.0.1') });
    await assert.rejects(rebound.save(`${CDN}/a/1.png`), refused('address_not_public'));
    assert.equal(loopbackImageRequests, 0);
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
    const policy = () => imagePolicy(emulatorSettings(emu));
    ctx.images = createImageDownloader(
      ctx,
      createImageStore({ dir, policy, outbound: cdnOnLoopback() }),
    );
    loopbackImageRequests = 0;
    const codes = emu.catalog
      .truth!.filter((t) => t.asin && t.case === 'exact_unique')
      .slice(0, 12)
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
      const expected = p!.images.filter((url) => url.startsWith(`${CDN}/a/`)).length;
      missing += p!.images.length - expected;
      assert.equal(p?.local_images?.length, expected, JSON.stringify(p));
      for (const rel of p!.local_images) assert.ok(existsSync(join(dir, rel)));
    }
    const warnings = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select(['message', 'details'])
      .where('job_id', '=', job.id)
      .where('message', '=', 'Image download failed')
      .execute();
    assert.equal(warnings.length, missing);
    const refused = warnings.filter((w) => String(w.details).includes('host_not_allowed'));
    assert.equal(
      refused.length,
      found.filter((u) => String(u.product).includes(`${base}/img0`)).length,
    );
    assert.ok(refused.length > 0, 'some products name the loopback image');
    assert.equal(loopbackImageRequests, 0, 'the loopback image was never requested');
    assert.ok(readdirSync(dir).length >= 1);
  });
});
