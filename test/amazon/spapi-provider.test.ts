import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAmazonClient } from '../../src/amazon/client.js';
import { AmazonError } from '../../src/amazon/errors.js';
import { createRateLimiter } from '../../src/amazon/rate-limiter.js';
import type { SpapiProvider } from '../../src/amazon/spapi/spapi-provider.js';
import { PROVIDERS } from '../../src/amazon/provider-registry.js';
import { getMarketplace } from '../../src/amazon/marketplaces.js';
import { loadConfig } from '../../src/config/env.js';
import { ManualClock } from './manual-clock.js';

/**
 * The SP-API provider on recorded-shape answers (reference §3.3: `items[]` of per-marketplace
 * identifiers, summaries, relationships; `pagination.nextToken`; `{"errors":[…]}`), served by a
 * fake fetch that records every request.
 */
const FR = 'A13V1IB3VIYZZH';
const API = 'https://sp.test';
const TOKEN_URL = 'https://lwa.test/auth/o2/token';

interface Sent {
  url: URL;
  headers: Record<string, string>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

function item(asin: string, ids: [string, string][], extra: Record<string, unknown> = {}) {
  return {
    asin,
    identifiers: [
      {
        marketplaceId: FR,
        identifiers: ids.map(([identifierType, identifier]) => ({ identifierType, identifier })),
      },
    ],
    summaries: [
      {
        marketplaceId: FR,
        itemName: `Item ${asin}`,
        brand: 'Brand',
        itemClassification: 'BASE_PRODUCT',
        ...extra,
      },
    ],
  };
}

function fakeSpapi(answer: (url: URL, n: number) => Answer) {
  const sent: Sent[] = [];
  let tokens = 0;
  const fetch: typeof globalThis.fetch = (async (
    input: string | URL | Request,
    init?: RequestInit,
  ) => {
    const url = new URL(String(input));
    if (url.href === TOKEN_URL) {
      tokens += 1;
      const body = new URLSearchParams(String(init?.body));
      assert.equal(body.get('grant_type'), 'refresh_token');
      assert.equal(body.get('refresh_token'), 'Atzr|refresh');
      return Response.json({
        access_token: `Atza|token-${tokens}`,
        token_type: 'bearer',
        expires_in: 3600,
      });
    }
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>),
    );
    sent.push({ url, headers });
    const a = answer(url, sent.length);
    return Response.json(a.body, {
      status: a.status,
      headers: { 'x-amzn-RequestId': `req-${sent.length}`, ...a.headers },
    });
  }) as typeof globalThis.fetch;
  return { fetch, sent, tokenFetches: () => tokens };
}

function providerWith(fetch: typeof globalThis.fetch, clock?: ManualClock): SpapiProvider {
  const settings = loadConfig({
    AMAZON_PROVIDER: 'spapi',
    AMAZON_SPAPI_CLIENT_ID: 'amzn1.application-oa2-client.test',
    AMAZON_SPAPI_CLIENT_SECRET: 'client-secret-value',
    AMAZON_SPAPI_REFRESH_TOKEN: 'Atzr|refresh',
    AMAZON_SPAPI_ENDPOINT: API,
    AMAZON_SPAPI_TOKEN_URL: TOKEN_URL,
  }).amazon;
  const limiter = createRateLimiter({ tps: 1000, burst: 1000, clock });
  return PROVIDERS.spapi.create(
    settings,
    getMarketplace('fr'),
    { fetch, clock },
    {
      limiter,
      clock,
      retry: { baseDelayMs: 1 },
    },
  ) as SpapiProvider;
}

const EAN_A = '0887276302195'; // UPC-A 887276302195 as an EAN-13
const EAN_B = '3017620422003';
const EAN_C = '4006381333931';

describe('spapi provider', () => {
  it('batches codes by identifier type, 20 per request, with the SP-API headers and query', async () => {
    const f = fakeSpapi(() => ({
      status: 200,
      body: { numberOfResults: 0, pagination: {}, items: [] },
    }));
    const p = providerWith(f.fetch);
    assert.equal(p.maxCodesPerCall, 20);
    assert.deepEqual(
      ['3017620422003', '887276302195', '9780306406157', '10887276302192', '96385074'].map((c) =>
        p.batchKeyOf?.(c),
      ),
      ['EAN', 'UPC', 'ISBN', 'GTIN', 'EAN'],
    );
    const valid = [
      '4006381333931',
      '3017620422003',
      '0887276302195',
      ...Array.from({ length: 20 }, (_, i) =>
        checkDigited(`400638133${String(i).padStart(3, '0')}`),
      ),
      '887276302195',
      '9780306406157',
    ];
    const out = await p.searchByCodes(valid);
    assert.equal(out.size, new Set(valid).size);
    assert.ok([...out.values()].every((o) => o.status === 'not_found'));
    const byType = f.sent.map((s) => [
      s.url.searchParams.get('identifiersType'),
      s.url.searchParams.get('identifiers')?.split(',').length,
    ]);
    assert.deepEqual(
      byType.sort(),
      [
        ['EAN', 3],
        ['EAN', 20],
        ['ISBN', 1],
        ['UPC', 1],
      ].sort(),
    );
    const s = f.sent[0] as Sent;
    assert.equal(s.url.pathname, '/catalog/2022-04-01/items');
    assert.equal(s.url.searchParams.get('marketplaceIds'), FR);
    assert.equal(
      s.url.searchParams.get('includedData'),
      'identifiers,summaries,images,salesRanks,relationships',
    );
    assert.equal(s.url.searchParams.get('pageSize'), '20');
    assert.equal(s.headers['x-amz-access-token'], 'Atza|token-1');
    assert.match(s.headers['user-agent'] ?? '', /^code2asin\//);
    assert.equal(s.headers.authorization, undefined, 'no SigV4');
    assert.equal(f.tokenFetches(), 1);
  });

  it('joins items to codes through GTIN-14: UPC-listed item for an EAN query, 3 items incl. a parent, an unrelated item ignored', async () => {
    const f = fakeSpapi(() => ({
      status: 200,
      body: {
        numberOfResults: 5,
        pagination: {},
        items: [
          item('B0UPCLISTD', [['UPC', '887276302195']]),
          item('B0PARENT01', [['EAN', EAN_B]], { itemClassification: 'VARIATION_PARENT' }),
          item('B0CHILD001', [['GTIN', `0${EAN_B}`]], { packageQuantity: 6 }),
          item('B0CHILD002', [['EAN', EAN_B]]),
          item('B0UNRELATD', [['EAN', '5000112548167']]),
        ],
      },
    }));
    const client = createAmazonClient(
      loadConfig({
        AMAZON_PROVIDER: 'spapi',
        AMAZON_SPAPI_CLIENT_ID: 'id',
        AMAZON_SPAPI_CLIENT_SECRET: 'client-secret-value',
        AMAZON_SPAPI_REFRESH_TOKEN: 'Atzr|refresh',
        AMAZON_SPAPI_ENDPOINT: API,
        AMAZON_SPAPI_TOKEN_URL: TOKEN_URL,
        AMAZON_TPS: '1000',
        AMAZON_BURST: '1000',
      }).amazon,
      { fetch: f.fetch },
    );
    const out = await client.searchByCodes([EAN_A, EAN_B, EAN_C]);
    const a = out.get(EAN_A);
    assert.ok(a?.status === 'found');
    assert.deepEqual(
      a.items.map((i) => i.asin),
      ['B0UPCLISTD'],
    );
    const b = out.get(EAN_B);
    assert.ok(b?.status === 'found');
    assert.deepEqual(
      b.items.map((i) => i.asin),
      ['B0PARENT01', 'B0CHILD001', 'B0CHILD002'],
    );
    assert.equal(
      b.items[0]?.parent_asin,
      'B0PARENT01',
      'a VARIATION_PARENT is flagged as its own parent',
    );
    assert.equal(b.items[1]?.unit_count, 6, 'packageQuantity feeds the quantity signal');
    assert.equal(out.get(EAN_C)?.status, 'not_found');
    assert.ok(
      [...out.values()].every(
        (o) => o.status !== 'found' || o.items.every((i) => i.asin !== 'B0UNRELATD'),
      ),
    );
    assert.equal(f.sent.length, 1, 'one request for three EANs');
    // The matcher never prefers the parent to a child that lists the code.
    const decided = await client.searchAmazonByEan(EAN_B);
    assert.notEqual(decided.asin ?? decided.proposed_asin, 'B0PARENT01');
    assert.equal(decided.candidates.find((c) => c.asin === 'B0PARENT01')?.rank !== 1, true);
  });

  it('follows pagination.nextToken exactly as received: a 25-item answer over two pages', async () => {
    const codes = Array.from({ length: 5 }, (_, i) =>
      checkDigited(`300000000${String(i).padStart(3, '0')}`),
    );
    const all = codes.flatMap((c, i) =>
      Array.from({ length: 5 }, (_, k) => item(`B0PAGE${i}${k}00`.slice(0, 10), [['EAN', c]])),
    );
    const token = 'opaque+/=token with space';
    const f = fakeSpapi((url) =>
      url.searchParams.get('pageToken') === token
        ? { status: 200, body: { numberOfResults: 25, pagination: {}, items: all.slice(20) } }
        : {
            status: 200,
            body: {
              numberOfResults: 25,
              pagination: { nextToken: token },
              items: all.slice(0, 20),
            },
          },
    );
    const out = await providerWith(f.fetch).searchByCodes(codes);
    assert.equal(f.sent.length, 2);
    assert.equal(f.sent[1]?.url.searchParams.get('pageToken'), token);
    assert.equal(f.sent[1]?.url.searchParams.get('identifiers'), codes.join(','));
    for (const c of codes) {
      const o = out.get(c);
      assert.ok(o?.status === 'found' && o.items.length === 5, c);
      assert.deepEqual(o.requestIds, ['req-1', 'req-2']);
    }
  });

  it('a 400 InvalidInput on a batch is split in halves until the refused code is alone', async () => {
    const codes = Array.from({ length: 20 }, (_, i) =>
      checkDigited(`500000000${String(i).padStart(3, '0')}`),
    );
    const bad = codes[13] as string;
    const f = fakeSpapi((url) => {
      const ids = url.searchParams.get('identifiers')?.split(',') ?? [];
      if (ids.includes(bad))
        return {
          status: 400,
          body: {
            errors: [{ code: 'InvalidInput', message: "Invalid 'asin' provided.", details: '' }],
          },
        };
      return {
        status: 200,
        body: {
          numberOfResults: ids.length,
          pagination: {},
          items: ids.map((c, i) => item(`B0SPLIT${String(i).padStart(3, '0')}`, [['EAN', c]])),
        },
      };
    });
    const out = await providerWith(f.fetch).searchByCodes(codes);
    const failed = [...out].filter(([, o]) => o.status === 'error');
    assert.deepEqual(
      failed.map(([c]) => c),
      [bad],
    );
    const e = (failed[0]?.[1] as { error: AmazonError }).error;
    assert.deepEqual([e.code, e.status, e.reason], ['invalid_data', 400, 'InvalidInput']);
    assert.ok([...out].every(([c, o]) => c === bad || o.status === 'found'));
    // 20 → 10 → 5 → 3 → 2 → 1: one failing request per level, one good half per level.
    assert.ok(f.sent.length <= 2 * Math.ceil(Math.log2(20)) + 1, `${f.sent.length} requests`);
  });

  it('429 QuotaExceeded is retried without using an attempt; 403 with the setting to fix; 5xx retried', async () => {
    let n = 0;
    const f = fakeSpapi(() => {
      n += 1;
      if (n === 1)
        return {
          status: 429,
          headers: { 'x-amzn-RateLimit-Limit': '100' },
          body: {
            errors: [
              {
                code: 'QuotaExceeded',
                message: 'You exceeded your quota for the requested resource.',
              },
            ],
          },
        };
      if (n <= 3)
        return { status: 503, body: { errors: [{ code: 'ServiceUnavailable', message: 'x' }] } };
      return { status: 200, body: { numberOfResults: 0, pagination: {}, items: [] } };
    });
    const p = providerWith(f.fetch);
    const out = await p.searchByCodes([EAN_B]);
    assert.equal(out.get(EAN_B)?.status, 'not_found');
    assert.equal(f.sent.length, 4);
    assert.ok(p.limiter.state().throttles >= 1);

    const denied = fakeSpapi(() => ({
      status: 403,
      body: {
        errors: [
          { code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' },
        ],
      },
    }));
    const d = await providerWith(denied.fetch).searchByCodes([EAN_B, EAN_C]);
    for (const o of d.values()) {
      assert.ok(o.status === 'error');
      assert.equal(o.error.code, 'auth');
      assert.match(o.error.message, /AMAZON_SPAPI_REFRESH_TOKEN/);
      assert.doesNotMatch(o.error.message, /client-secret-value|Atzr\|refresh/);
    }
    assert.equal(denied.sent.length, 2, 'one request and one retry with a fresh token');
    assert.equal(denied.tokenFetches(), 2);
  });

  it('concurrent calls share one token refresh; the token is renewed before expires_in', async () => {
    const clock = new ManualClock();
    const f = fakeSpapi(() => ({
      status: 200,
      body: { numberOfResults: 0, pagination: {}, items: [] },
    }));
    const p = providerWith(f.fetch, clock);
    await Promise.all(
      [EAN_A, EAN_B, EAN_C, '887276302195', '9780306406157'].map((c) => p.searchByCodes([c])),
    );
    assert.equal(f.tokenFetches(), 1);
    assert.equal(p.tokens.fetches, 1);
    await clock.advance(3_600_000 - 61_000);
    await p.searchByCodes([EAN_A]);
    assert.equal(f.tokenFetches(), 1, 'still valid a minute before expiry');
    await clock.advance(2_000);
    await Promise.all([p.searchByCodes([EAN_A]), p.searchByCodes([EAN_B])]);
    assert.equal(f.tokenFetches(), 2, 'renewed once, shortly before expires_in');
    assert.equal(f.sent.at(-1)?.headers['x-amz-access-token'], 'Atza|token-2');
  });

  it('refuses missing settings before any request, naming the variables; needs no Associates tag', () => {
    const base = { AMAZON_PROVIDER: 'spapi', AMAZON_SPAPI_CLIENT_ID: 'id' };
    assert.throws(
      () => createAmazonClient(loadConfig(base).amazon),
      (e: unknown) =>
        e instanceof AmazonError &&
        e.code === 'auth' &&
        /AMAZON_SPAPI_CLIENT_SECRET, AMAZON_SPAPI_REFRESH_TOKEN/.test(e.message),
    );
    const ok = loadConfig({
      ...base,
      AMAZON_SPAPI_CLIENT_SECRET: 's',
      AMAZON_SPAPI_REFRESH_TOKEN: 'r',
    });
    assert.equal(ok.amazon.associateTag, undefined);
    assert.deepEqual([ok.amazon.tps, ok.amazon.burst], [2, 2], 'SP-API default quota');
    assert.deepEqual(
      [loadConfig({ ...base, AMAZON_TPS: '1.5' }).amazon.tps, loadConfig({}).amazon.tps],
      [1.5, 1],
    );
    assert.equal(createAmazonClient(ok.amazon).maxCodesPerCall, 20);
  });
});

/** Appends the GS1 check digit to 12 digits. */
function checkDigited(body12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body12[11 - i]) * (i % 2 === 0 ? 3 : 1);
  return body12 + String((10 - (sum % 10)) % 10);
}
