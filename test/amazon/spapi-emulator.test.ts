import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AmazonError } from '../../src/amazon/errors.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { clientFor, productsOf, startTestEmulator, statsOf, truthOf } from './emulator-setup.js';

const FR = 'A13V1IB3VIYZZH';

/** The spapi provider against the emulator's SP-API, and the emulator's SP-API on the wire. */
describe('spapi against the emulator (beyond the shared conformance suite)', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.close());

  it('searchByCodes: found, not found, UPC-listed items for EAN queries; ⌈n/20⌉ requests per type', async () => {
    const client = clientFor(emu, 'spapi');
    const found = truthOf(emu, 'exact_unique').slice(0, 15);
    const upc = truthOf(emu, 'upc_listing').slice(0, 5);
    const missing = truthOf(emu, 'not_found').slice(0, 5);
    const isbn = truthOf(emu, 'isbn10_listing').slice(0, 2);
    const codes = [...found, ...upc, ...missing, ...isbn].map((t) => t.code);
    const before = statsOf(emu, 'spapi')?.operations.searchCatalogItems?.requests ?? 0;
    const out = await client.searchByCodes(codes);
    const calls = (statsOf(emu, 'spapi')?.operations.searchCatalogItems?.requests ?? 0) - before;
    assert.equal(calls, 3, '25 EANs → 2 requests, 2 ISBNs → 1');
    assert.deepEqual([...out.keys()], codes);
    for (const t of [...found, ...upc, ...isbn]) {
      const o = out.get(t.code);
      assert.ok(o?.status === 'found' && o.items.some((i) => i.asin === t.asin), t.code);
      assert.equal(o.items[0]?.source, 'spapi');
    }
    for (const t of missing) assert.equal(out.get(t.code)?.status, 'not_found');
  });

  it('searchAmazonByEan decides with decideMatch through the same matcher', async () => {
    const client = clientFor(emu, 'spapi');
    for (const kase of ['exact_unique', 'upc_listing', 'isbn13_listing', 'isbn10_listing']) {
      for (const t of truthOf(emu, kase).slice(0, 2)) {
        const r = await client.searchAmazonByEan(t.code);
        assert.equal(r.asin, t.asin, `${kase} ${t.code}`);
        assert.ok(['exact', 'partial'].includes(r.match_type), `${kase}: ${r.match_type}`);
      }
    }
  });

  it('getItems, validate and fetch by ASIN; variations through relationships', async () => {
    const client = clientFor(emu, 'spapi');
    const products = productsOf(emu).filter((p) => !p.isParent);
    const asins = products.slice(0, 22).map((p) => p.asin);
    const r = await client.getItems([
      asins[0] as string,
      'B0ZZZZZZZZ',
      'not-an-asin',
      ...asins.slice(1),
    ]);
    assert.deepEqual([...r.items.keys()], asins);
    assert.deepEqual([...r.errors.keys()], ['B0ZZZZZZZZ', 'NOT-AN-ASIN']);
    assert.equal(r.errors.get('B0ZZZZZZZZ')?.code, 'ItemNotFound');
    assert.equal((await client.validateAsinOnAmazon(asins[0] as string)).valid, true);
    assert.equal((await client.validateAsinOnAmazon('B0ZZZZZZZZ')).valid, false);
    const full = await client.fetchAmazonProductData(asins[0] as string);
    assert.equal(full?.title, products[0]?.title);
    assert.equal(full?.price, null, 'Catalog Items has no prices');
    const parent = productsOf(emu).find((p) => p.isParent);
    assert.ok(parent);
    const v = await client.getVariations(parent.asin);
    assert.ok(v.items.length >= 2 && v.items.every((i) => i.parent_asin === parent.asin));
    await assert.rejects(
      client.getVariations(asins[0] as string),
      (e: unknown) => e instanceof AmazonError && e.code === 'not_found',
    );
  });

  it('bad client secret → auth naming the settings, without the secret; retries 5xx', async () => {
    const wrong = 'wrong-secret-value-123';
    const bad = clientFor(emu, 'spapi', { AMAZON_SPAPI_CLIENT_SECRET: wrong });
    const out = await bad.searchByCodes(['3017620422003']);
    const o = out.get('3017620422003');
    assert.ok(o?.status === 'error');
    assert.equal(o.error.code, 'auth');
    assert.match(o.error.message, /invalid_client.*AMAZON_SPAPI_CLIENT_SECRET/);
    assert.doesNotMatch(o.error.message, new RegExp(wrong));
    const client = clientFor(emu, 'spapi', {}, { retry: { baseDelayMs: 10 } });
    const asin = productsOf(emu)[0]?.asin as string;
    emu.setFaults({ failNext: 2, failStatus: 503 });
    assert.ok(await client.fetchAmazonProductData(asin));
  });

  it('an access token the API calls expired is refreshed once and the call goes through', async () => {
    let t = Date.parse('2026-12-01T00:00:00Z');
    const own = await startTestEmulator({ now: () => t });
    try {
      const client = clientFor(own, 'spapi');
      const code = truthOf(own, 'exact_unique')[0]?.code as string;
      assert.equal((await client.searchByCodes([code])).get(code)?.status, 'found');
      t += 3_601_000; // the emulator's token lifetime is over; the client's clock has not moved
      assert.equal((await client.searchByCodes([code])).get(code)?.status, 'found');
      const s = statsOf(own, 'spapi');
      assert.equal(s?.operations.token?.requests, 2, 'one refresh');
      assert.equal(s?.operations.searchCatalogItems?.status['2xx'], 2);
      // A refused token names no credential: the emulator counts it under "-".
      const refused = own.stats().credentials['-']?.operations.searchCatalogItems;
      assert.equal(refused?.status['4xx'], 1, 'one 403 Unauthorized');
    } finally {
      await own.close();
    }
  });

  it('the emulator answers SP-API errors as {"errors":[{code,message,details}]}', async () => {
    const env = emu.env('spapi');
    const tokenRes = await fetch(env.AMAZON_SPAPI_TOKEN_URL as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: env.AMAZON_SPAPI_REFRESH_TOKEN as string,
        client_id: env.AMAZON_SPAPI_CLIENT_ID as string,
        client_secret: env.AMAZON_SPAPI_CLIENT_SECRET as string,
      }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const get = async (query: string, t = token) => {
      const res = await fetch(`${emu.url}/catalog/2022-04-01/items?${query}`, {
        headers: { 'x-amz-access-token': t },
      });
      return {
        status: res.status,
        body: (await res.json()) as { errors?: { code: string }[] },
        res,
      };
    };
    const codes = truthOf(emu, 'exact_unique')
      .slice(0, 21)
      .map((t) => t.code);
    const cases: [string, number, string][] = [
      [
        `identifiers=${codes.join(',')}&identifiersType=EAN&marketplaceIds=${FR}`,
        400,
        'InvalidInput',
      ],
      [`identifiers=${codes[0]}&identifiersType=EAN`, 400, 'InvalidInput'],
      [`identifiers=3017620422004&identifiersType=EAN&marketplaceIds=${FR}`, 400, 'InvalidInput'],
      [
        `identifiers=${codes[0]}&identifiersType=EAN&marketplaceIds=${FR}&pageToken=forged`,
        400,
        'InvalidInput',
      ],
    ];
    for (const [q, status, code] of cases) {
      const r = await get(q);
      assert.equal(r.status, status, q);
      assert.deepEqual(
        r.body.errors?.map((e) => e.code),
        [code],
        q,
      );
    }
    const denied = await get(
      `identifiers=${codes[0]}&identifiersType=EAN&marketplaceIds=${FR}`,
      'Atza|forged',
    );
    assert.equal(denied.status, 403);
    assert.deepEqual(
      denied.body.errors?.map((e) => e.code),
      ['Unauthorized'],
    );
    // GTIN family: a UPC-listed item answers an EAN query and a GTIN-14 query.
    const upc = truthOf(emu, 'upc_listing')[0];
    assert.ok(upc?.asin);
    for (const [type, id] of [
      ['EAN', upc.code],
      ['GTIN', `0${upc.code}`],
      ['UPC', upc.code.slice(1)],
    ]) {
      const r = await get(
        `identifiers=${id}&identifiersType=${type}&marketplaceIds=${FR}&includedData=identifiers`,
      );
      assert.equal(r.status, 200);
      assert.ok(r.res.headers.get('x-amzn-ratelimit-limit'));
      assert.ok(r.res.headers.get('x-amzn-requestid'));
      assert.ok(
        ((r.body as { items: { asin: string }[] }).items ?? []).some((i) => i.asin === upc.asin),
        type,
      );
    }
  });
});
