import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KeepaProvider } from '../../../src/amazon/keepa/keepa-provider.js';
import { lookupErrorOf } from '../../../src/jobs/unit-lookup.js';
import { keepaStatsKey, type RunningEmulator } from '../../../src/emulator/index.js';
import { ManualClock } from '../manual-clock.js';
import type { AmazonError } from '../../../src/amazon/errors.js';
import { asinOf, ean, eventually, keepaClient, startKeepaEmulator, UPC } from './keepa-fixture.js';

const KEY = 'keepa-test-key-plenty-000000000000000000000000000000000000001';
const EXPIRED = 'keepa-test-key-expired-00000000000000000000000000000000000002';

describe('Keepa provider against the emulator', () => {
  const clock = new ManualClock();
  let emu: RunningEmulator;

  before(async () => {
    emu = await startKeepaEmulator(clock, [
      { key: KEY, refillRate: 100, tokens: 100_000 },
      { key: EXPIRED, paid: false },
    ]);
  });
  after(() => emu.close());

  const keepaStats = () => emu.stats().credentials[keepaStatsKey(KEY)];

  test('250 codes go in 3 requests of at most 100, each code matched to its own product', async () => {
    emu.resetStats();
    const client = keepaClient(emu, clock);
    assert.equal(client.maxCodesPerCall, 100);
    const codes = Array.from({ length: 250 }, (_, i) => ean(i));
    const outcomes = await client.searchByCodes(codes);
    assert.equal(keepaStats()?.operations.product?.requests, 3);
    for (const [i, code] of codes.entries()) {
      const o = outcomes.get(code);
      assert.equal(o?.status, 'found', code);
      if (o?.status !== 'found') continue;
      assert.deepEqual(
        o.items.map((p) => p.asin),
        [asinOf(i)],
      );
      assert.equal(o.items[0]?.source, 'keepa');
    }
  });

  test('an ISBN goes in the same request as EANs: Keepa looks codes up, no search index', async () => {
    emu.resetStats();
    const client = keepaClient(emu, clock);
    assert.equal(client.usesSearchIndex, false);
    const isbn = '9780306406157';
    const codes = [...Array.from({ length: 99 }, (_, i) => ean(i)), isbn];
    const outcomes = await client.searchAmazonByEans(codes.map((code) => ({ code })));
    assert.equal(keepaStats()?.operations.product?.requests, 1, 'one request for 100 codes');
    assert.equal(outcomes.filter((o) => o.ok && o.result.asin).length, 99);
    assert.ok(outcomes[99]?.ok, 'the ISBN is answered (not found in this catalog)');
  });

  test('codes are matched through GTIN-14 (EAN-13 asked, UPC-A listed), unknown codes not found', async () => {
    const client = keepaClient(emu, clock);
    const unknown = ean(7777);
    // The product lists only its UPC-A; the EAN-13 of the same GTIN and its GTIN-14 find it.
    const outcomes = await client.searchByCodes([`0${UPC}`, `00${UPC}`, unknown, 'not-a-code']);
    for (const code of [`0${UPC}`, `00${UPC}`]) {
      const o = outcomes.get(code);
      assert.equal(o?.status, 'found', code);
      if (o?.status === 'found')
        assert.deepEqual(
          o.items.map((p) => p.asin),
          ['B0UPCONLY0'],
        );
    }
    assert.equal(outcomes.get(unknown)?.status, 'not_found');
    const bad = outcomes.get('not-a-code');
    assert.equal(bad?.status === 'error' && bad.error.code, 'invalid_data');
  });

  test('a code returning 3 products gives all three, and costs 3 tokens', async () => {
    emu.resetStats();
    const before = emu.stats().keepa?.[keepaStatsKey(KEY)]?.tokensConsumed ?? 0;
    const client = keepaClient(emu, clock);
    const outcome = (await client.searchByCodes([ean(9001)])).get(ean(9001));
    assert.equal(outcome?.status, 'found');
    if (outcome?.status !== 'found') return;
    assert.deepEqual(outcome.items.map((p) => p.asin).sort(), [
      'B0SHARED00',
      'B0SHARED01',
      'B0SHARED02',
    ]);
    const spent = (emu.stats().keepa?.[keepaStatsKey(KEY)]?.tokensConsumed ?? 0) - before;
    assert.equal(spent, 3);
    const budget = (client as unknown as KeepaProvider).tokens.tokenState();
    assert.equal(budget.tokensConsumed, 3);
  });

  test('a variation parent comes last, marked as its own parent; children carry the pack size', async () => {
    const client = keepaClient(emu, clock);
    const outcome = (await client.searchByCodes([ean(9002)])).get(ean(9002));
    assert.equal(outcome?.status, 'found');
    if (outcome?.status !== 'found') return;
    const asins = outcome.items.map((p) => p.asin);
    assert.equal(asins.at(-1), 'B0PARENT00');
    assert.deepEqual(asins.slice(0, 2).sort(), ['B0CHILD000', 'B0CHILD001']);
    const parent = outcome.items.at(-1);
    assert.equal(parent?.parent_asin, 'B0PARENT00');
    assert.equal(outcome.items[0]?.parent_asin, 'B0PARENT00');
    assert.equal(outcome.items[0]?.unit_count, 6);
    const variations = await client.getVariations('B0PARENT00');
    assert.deepEqual(variations.items.map((p) => p.asin).sort(), ['B0CHILD000', 'B0CHILD001']);
  });

  test('an unaccessible product (productType 3) is no answer for its code', async () => {
    const client = keepaClient(emu, clock);
    const outcome = (await client.searchByCodes([ean(9003)])).get(ean(9003));
    assert.equal(outcome?.status, 'not_found');
    const items = await client.getItems(['B0HIDDEN00', asinOf(1)]);
    assert.equal(items.errors.get('B0HIDDEN00')?.code, 'ItemNotAccessible');
    assert.equal(items.items.get(asinOf(1))?.title, 'Product 1');
  });

  test('getItems asks stats: current price and sales rank, images as URLs', async () => {
    const client = keepaClient(emu, clock);
    const result = await client.getItems([asinOf(5)]);
    const p = result.items.get(asinOf(5));
    assert.equal(p?.price, 10.05);
    assert.equal(p?.currency, 'EUR');
    assert.equal(p?.sales_rank, 1005);
    assert.deepEqual(p?.images, ['https://m.media-amazon.com/images/I/Img5.jpg']);
    assert.deepEqual(p?.external_ids.eans, [ean(5)]);
  });

  test('402: one request, no retry, a typed outcome that makes the provider unusable', async () => {
    emu.resetStats();
    const client = keepaClient(emu, clock, 1);
    const outcomes = await client.searchByCodes([ean(1), ean(2)]);
    const o = outcomes.get(ean(1));
    assert.equal(o?.status, 'error');
    if (o?.status !== 'error') return;
    assert.equal(o.error.code, 'not_eligible');
    assert.equal(o.error.status, 402);
    assert.equal(o.error.retryable, false);
    assert.match(o.error.message, /402 Payment Required/);
    assert.ok(!o.error.message.includes(EXPIRED), 'the key is never in a message');
    assert.equal(lookupErrorOf(o.error).providerUnusable, true);
    assert.equal(emu.stats().credentials[keepaStatsKey(EXPIRED)]?.requests, 1);
  });

  test('the connection check is the free /token call', async () => {
    emu.resetStats();
    const before = emu.stats().keepa?.[keepaStatsKey(KEY)]?.tokensConsumed;
    const client = keepaClient(emu, clock);
    assert.ok(client.checkAccess);
    await client.checkAccess();
    assert.equal(keepaStats()?.operations.token?.requests, 1);
    assert.equal(emu.stats().keepa?.[keepaStatsKey(KEY)]?.tokensConsumed, before);
    const wrong = keepaClient(emu, clock, 0, {
      AMAZON_KEEPA_KEY: 'not-a-key-the-emulator-knows-0000004',
    });
    await assert.rejects(wrong.checkAccess?.() ?? Promise.resolve(), (e: AmazonError) => {
      assert.equal(e.code, 'auth');
      assert.match(e.message, /AMAZON_KEEPA_KEY/);
      return true;
    });
  });
});

describe('Keepa token budget on a manual clock', () => {
  const LOW = 'keepa-test-key-low-00000000000000000000000000000000000000003';

  test('a spent budget waits for the refill; nothing is sent early and no 429 comes back', async () => {
    const clock = new ManualClock();
    // 5 tokens, 100 per minute: the first 100-code request overdraws to -95.
    const emu = await startKeepaEmulator(clock, [{ key: LOW, refillRate: 100, tokens: 5 }]);
    try {
      const client = keepaClient(emu, clock);
      const stats = () => emu.stats().credentials[keepaStatsKey(LOW)];
      await client.searchByCodes(Array.from({ length: 100 }, (_, i) => ean(i)));
      assert.equal(emu.stats().keepa?.[keepaStatsKey(LOW)]?.tokensLeft, -95);
      const second = client.searchByCodes(Array.from({ length: 100 }, (_, i) => ean(100 + i)));
      let done = false;
      void second.then(() => (done = true));
      await clock.advance(59_000);
      assert.equal(stats()?.requests, 1, 'waits: -95 + 0 refills');
      await clock.advance(1_000); // first refill: -95 + 100 = 5 > 0
      await eventually(() => done, 'the second request');
      const outcomes = await second;
      assert.equal(outcomes.get(ean(150))?.status, 'found');
      assert.equal(stats()?.requests, 2);
      assert.equal(stats()?.status['429'], 0);
    } finally {
      await emu.close();
    }
  });

  test('every refill met with codes waiting is spent down to 0, the last partial one included', async () => {
    const clock = new ManualClock();
    // 100 tokens, 100 per minute; 500 codes of which half are known: 5 requests of 50 tokens.
    // Keepa charges per product found, so a refill pays for two requests, not one (its 100 codes).
    const emu = await startKeepaEmulator(clock, [{ key: LOW, refillRate: 100, tokens: 100 }]);
    try {
      const client = keepaClient(emu, clock);
      const product = () => emu.stats().credentials[keepaStatsKey(LOW)]?.operations.product;
      const balance = () => emu.stats().keepa?.[keepaStatsKey(LOW)]?.tokensLeft;
      const budget = () => (client as unknown as KeepaProvider).tokens.tokenState();
      const codes = Array.from({ length: 250 }, (_, i) => [ean(i), ean(5000 + i)]).flat();
      const search = client.searchByCodes(codes);
      let done = false;
      void search.then(() => (done = true));
      for (const [minute, requests, left] of [
        [0, 2, 0],
        [1, 4, 0],
        [2, 5, 50],
      ] as const) {
        if (minute > 0) await clock.advance(1_000); // the refill
        await eventually(() => product()?.status['2xx'] === requests, `${requests} answers`);
        // The emulator counts an answer when it sends it; the client dates the next refill when
        // it reads it (now + refillIn). Moving the clock before that would move the refill too.
        await eventually(() => budget().reserved === 0, `the client to read ${requests} answers`);
        assert.equal(balance(), left, `minute ${minute}: every token spent while codes waited`);
        if (minute < 2) await clock.advance(59_000);
        assert.equal(product()?.requests, requests, `minute ${minute}: nothing before the refill`);
      }
      await eventually(() => done, 'the search');
      const outcomes = await search;
      assert.equal([...outcomes.values()].filter((o) => o.status === 'found').length, 250);
      assert.equal(product()?.status['429'], 0);
    } finally {
      await emu.close();
    }
  });

  test('a 429 (another process spent the tokens) waits refillIn and retries without using an attempt', async () => {
    const clock = new ManualClock();
    const emu = await startKeepaEmulator(clock, [{ key: LOW, refillRate: 100, tokens: 5 }]);
    try {
      const stats = () => emu.stats().credentials[keepaStatsKey(LOW)];
      // Process A overdraws the key; process B knows nothing of it (its budget is unknown).
      await keepaClient(emu, clock).searchByCodes(Array.from({ length: 100 }, (_, i) => ean(i)));
      const b = keepaClient(emu, clock);
      const pending = b.searchByCodes([ean(200)]);
      let done = false;
      void pending.then(() => (done = true));
      // B learns from the 429 that the next refill is a minute away, and waits for it.
      await eventually(() => b.limiter.state().pausedUntil !== null, 'the pause after the 429');
      assert.equal(stats()?.status['429'], 1);
      await clock.advance(59_000);
      assert.equal(stats()?.requests, 2, 'nothing before the refill');
      await clock.advance(1_000);
      await eventually(() => done, 'the retried request');
      assert.equal((await pending).get(ean(200))?.status, 'found');
      assert.equal(stats()?.status['429'], 1, 'one 429: the probe of an empty budget');
      assert.equal(stats()?.requests, 3);
    } finally {
      await emu.close();
    }
  });
});
