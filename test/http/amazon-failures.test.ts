import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AmazonError } from '../../src/amazon/errors.js';
import type { AmazonSettings } from '../../src/amazon/provider.js';
import { createAmazonClients } from '../../src/amazon/amazon-clients.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf } from './http-helpers.js';

/** Settings of a Creators credential; the failing client below never sends a request. */
const ENV = {
  AMAZON_CREATORS_CREDENTIAL_ID: 'id-0123456789',
  AMAZON_CREATORS_CREDENTIAL_SECRET: 'secret-0123456789',
  AMAZON_ASSOCIATE_TAG: 'shop-21',
};

forEachDatabase('Amazon routes: provider failures', (ctx) => {
  it('maps throttling, timeouts and refusals of the provider to 429/504/502/403', async () => {
    const failures = [
      [new AmazonError('api_rate_limit', 'Throttled.', { retryAfterMs: 4200 }), 429],
      [new AmazonError('network', 'Timed out.', { reason: 'Timeout' }), 504],
      [new AmazonError('auth', 'Refused.', { reason: 'InvalidSignature' }), 502],
      [new AmazonError('not_eligible', 'No sales.'), 403],
    ] as const;
    let next = 0;
    const real = createAmazonClients();
    const clients = createAmazonClients({
      create: (settings: AmazonSettings) => {
        const client = real.clientFor(settings);
        return {
          ...client,
          fetchAmazonProductData: async () => {
            throw failures[next++ % failures.length]?.[0];
          },
        };
      },
    });
    const t = await createTestApp(ctx.database(), { env: ENV, amazonClients: clients });
    try {
      for (const [error, status] of failures) {
        const res = await t.call({ method: 'GET', url: '/api/v1/amazon/products/B0DEMO0001' });
        assert.equal(res.statusCode, status);
        assert.equal(errorOf(res).code, `amazon_${error.code}`);
        assert.equal(errorOf(res).message, error.message);
        if (status === 429) assert.equal(res.headers['retry-after'], '5');
      }
    } finally {
      await t.close();
    }
  });

  it('builds one client per effective settings and one limiter per credential', () => {
    let built = 0;
    const clients = createAmazonClients({
      create: (settings, deps) => {
        built += 1;
        return { marketplace: { domain: settings.marketplace }, limiter: deps.limiter } as never;
      },
    });
    const base = {
      provider: 'creators',
      marketplace: 'www.amazon.fr',
      associateTag: 't-21',
      creators: {
        credentialId: 'a',
        credentialSecret: 's',
        credentialVersion: '3.2',
        apiUrl: 'http://x',
        tokenUrl: undefined,
      },
      paapi: {
        accessKey: undefined,
        secretKey: undefined,
        host: undefined,
        region: undefined,
        endpoint: undefined,
      },
      spapi: {
        clientId: undefined,
        clientSecret: undefined,
        refreshToken: undefined,
        endpoint: undefined,
        tokenUrl: undefined,
      },
      keepa: { key: undefined, apiUrl: 'https://api.keepa.com' },
      tps: 1,
      burst: 1,
      tpd: 100,
      timeoutMs: 1000,
    } satisfies AmazonSettings;
    const fr = clients.clientFor(base);
    assert.equal(clients.clientFor({ ...base }), fr);
    const de = clients.clientFor({ ...base, marketplace: 'www.amazon.de' });
    assert.notEqual(de, fr);
    assert.equal(de.limiter, fr.limiter, 'one limiter per credential across marketplaces');
    const other = clients.clientFor({ ...base, creators: { ...base.creators, credentialId: 'b' } });
    assert.notEqual(other.limiter, fr.limiter);
    assert.equal(built, 3);
  });
});
