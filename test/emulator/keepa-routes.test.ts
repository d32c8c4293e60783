import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { keepaStatsKey, type RunningEmulator } from '../../src/emulator/index.js';
import { ManualClock } from '../amazon/manual-clock.js';
import { asinOf, ean, startKeepaEmulator } from '../amazon/keepa/keepa-fixture.js';

const KEY = 'route-test-key-0000000000000000000000000000000000000000000001';
const EXPIRED = 'route-test-key-expired-000000000000000000000000000000000000002';

/** GET with the raw bytes (fetch would hide the gzip). */
function get(
  url: string,
  gzip = false,
): Promise<{ status: number; encoding: string | undefined; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        resolve({ status: res.statusCode ?? 0, encoding, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('emulator: Keepa routes', () => {
  const clock = new ManualClock();
  let emu: RunningEmulator;
  const url = (path: string, key = KEY) =>
    `${emu.url}${path}${path.includes('?') ? '&' : '?'}key=${key}`;

  before(async () => {
    emu = await startKeepaEmulator(clock, [
      { key: KEY, refillRate: 60, tokens: 150 },
      { key: EXPIRED, paid: false },
    ]);
  });
  after(() => emu.close());

  test('/token is free and gives the token status', async () => {
    const r = await get(url('/token'));
    assert.equal(r.status, 200);
    assert.equal(r.body.tokensLeft, 150);
    assert.equal(r.body.refillRate, 60);
    assert.equal(r.body.tokensConsumed, 0);
    assert.ok((r.body.refillIn as number) > 0 && (r.body.refillIn as number) <= 60_000);
  });

  test('/product by code, gzip when asked, 1 token per product', async () => {
    const r = await get(
      url(`/product?domain=4&code=${ean(1)},${ean(2)},${ean(7777)}&stats=1`),
      true,
    );
    assert.equal(r.status, 200);
    assert.equal(r.encoding, 'gzip');
    const products = r.body.products as Record<string, unknown>[];
    assert.deepEqual(
      products.map((p) => p.asin),
      [asinOf(1), asinOf(2)],
    );
    assert.deepEqual(products[0]?.eanList, [ean(1)]);
    assert.equal(products[0]?.productType, 0);
    assert.deepEqual((products[0]?.stats as { current: number[] }).current, [1001, 1001, -1, 1001]);
    assert.equal(r.body.tokensConsumed, 2);
    assert.equal(r.body.tokensLeft, 148);
  });

  test('/product by ASIN; a variation parent is productType 5 with its children', async () => {
    const r = await get(url('/product?domain=4&asin=B0PARENT00,B0HIDDEN00'));
    const [parent, hidden] = r.body.products as Record<string, unknown>[];
    assert.equal(parent?.productType, 5);
    assert.equal(parent?.variationCSV, 'B0CHILD000,B0CHILD001');
    assert.equal(hidden?.productType, 3);
  });

  test('bad requests: 400 with the error object; 405 for POST', async () => {
    const both = await get(url(`/product?domain=4&code=${ean(1)}&asin=${asinOf(1)}`));
    assert.equal(both.status, 400);
    assert.equal((both.body.error as { type: string }).type, 'REQUEST_REJECTED');
    const many = Array.from({ length: 101 }, (_, i) => ean(i)).join(',');
    assert.equal((await get(url(`/product?domain=4&code=${many}`))).status, 400);
    assert.equal((await get(url(`/product?domain=7&code=${ean(1)}`))).status, 400);
    const unknown = await get(url(`/product?domain=4&code=${ean(1)}`, 'nope'));
    assert.equal(unknown.status, 400);
    const post = await fetch(url(`/product?domain=4&code=${ean(1)}`), { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(
      ((await post.json()) as { error: { type: string } }).error.type,
      'METHOD_NOT_ALLOWED',
    );
  });

  test('402 for a key without a paid plan', async () => {
    const r = await get(url(`/product?domain=4&code=${ean(1)}`, EXPIRED));
    assert.equal(r.status, 402);
    assert.equal((r.body.error as { type: string }).type, 'PAYMENT_REQUIRED');
  });

  test('the balance goes negative, then 429 until the minute refill; stats per protocol', async () => {
    emu.resetStats();
    const left = (await get(url('/token'))).body.tokensLeft as number;
    const codes = Array.from({ length: 100 }, (_, i) => ean(i)).join(',');
    assert.ok(left > 0 && left <= 200);
    await get(url(`/product?domain=4&code=${codes}`));
    // Admitted while the balance is above 0, whatever the cost: it may go negative.
    const second = await get(url(`/product?domain=4&code=${codes}`));
    assert.equal(second.status, 200);
    assert.equal(second.body.tokensLeft, left - 200);
    assert.ok(left - 200 < 0, 'overdrawn');
    const refused = await get(url(`/product?domain=4&code=${ean(1)}`));
    assert.equal(refused.status, 429);
    assert.equal((refused.body.error as { type: string }).type, 'NOT_ENOUGH_TOKEN');
    const refillIn = refused.body.refillIn as number;
    assert.ok(refillIn > 0);
    await clock.advance(refillIn);
    const after = await get(url('/token'));
    assert.equal(after.body.tokensLeft, left - 200 + 60);
    const stats = emu.stats();
    assert.equal(stats.protocols.keepa?.requests, 5);
    assert.equal(stats.protocols.keepa?.status['429'], 1);
    assert.equal(stats.keepa?.[keepaStatsKey(KEY)]?.refused, 1);
    assert.ok(!JSON.stringify(stats).includes(KEY), 'the key never appears in the stats');
  });

  test('fault injection: the next request fails with 500 and the error object', async () => {
    emu.setFaults({ failNext: 1, failStatus: 500 });
    await clock.advance(3_600_000);
    const r = await get(url(`/product?domain=4&code=${ean(1)}`));
    assert.equal(r.status, 500);
    assert.equal((r.body.error as { type: string }).type, 'INTERNAL_SERVER_ERROR');
    assert.equal((await get(url(`/product?domain=4&code=${ean(1)}`))).status, 200);
  });
});
