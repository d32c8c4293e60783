import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/errors.js';

describe('configuration', () => {
  it('starts on the embedded defaults with no environment', () => {
    const config = loadConfig({});
    assert.equal(config.databaseUrl, 'sqlite:./data/code2asin.db');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.amazon.provider, 'creators');
    assert.equal(config.amazon.marketplace, 'www.amazon.fr');
    assert.equal(config.amazon.enabled, true);
    assert.equal(config.amazon.creators.apiUrl, 'https://creatorsapi.amazon');
    assert.equal(config.amazon.tps, 1);
    assert.equal(config.amazon.tpd, 8640);
    assert.equal(config.secretKey, undefined);
  });

  it('is frozen, deeply', () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.amazon.creators));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('reads the original and the Creators API variables', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:pw@db:5432/c2a',
      CODE2ASIN_PORT: '9000',
      AMAZON_PAAPI_ENABLED: 'false',
      AMAZON_PROVIDER: 'paapi',
      AMAZON_PAAPI_ACCESS_KEY: 'AKIDEXAMPLE',
      AMAZON_PAAPI_SECRET_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AMAZON_ASSOCIATE_TAG: 'shop-21',
      AMAZON_PAAPI_HOST: 'webservices.amazon.de',
      AMAZON_PAAPI_REGION: 'eu-west-1',
      AMAZON_CREATORS_CREDENTIAL_ID: 'cid',
      AMAZON_CREATORS_CREDENTIAL_SECRET: 'csecret-123',
      AMAZON_CREATORS_CREDENTIAL_VERSION: '2.2',
      AMAZON_MARKETPLACE: 'www.amazon.de',
      AMAZON_CREATORS_API_URL: 'http://127.0.0.1:8787/',
      AMAZON_CREATORS_TOKEN_URL: 'http://127.0.0.1:8787/oauth2/token',
      AMAZON_PAAPI_ENDPOINT: 'http://127.0.0.1:8787',
      CODE2ASIN_SECRET_KEY: 'a'.repeat(64),
    });
    assert.equal(config.port, 9000);
    assert.equal(config.amazon.enabled, false);
    assert.equal(config.amazon.provider, 'paapi');
    assert.equal(config.amazon.paapi.host, 'webservices.amazon.de');
    assert.equal(config.amazon.creators.credentialVersion, '2.2');
    assert.equal(config.amazon.creators.apiUrl, 'http://127.0.0.1:8787');
    assert.equal(config.amazon.creators.tokenUrl, 'http://127.0.0.1:8787/oauth2/token');
    assert.equal(config.secretKey?.length, 32);
    for (const s of [
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      'csecret-123',
      'pw1'.slice(0, 2) + '',
    ]) {
      if (s.length >= 4) assert.ok(config.secrets.includes(s), `${s} registered as a secret`);
    }
  });

  it('accepts a base64 secret key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    assert.equal(
      loadConfig({ CODE2ASIN_SECRET_KEY: key }).secretKey?.toString('hex'),
      '07'.repeat(32),
    );
  });

  it('fails naming every bad variable, its problem and what is expected', () => {
    let error: unknown;
    try {
      loadConfig({
        CODE2ASIN_PORT: 'eighty',
        AMAZON_PROVIDER: 'nosuch',
        AMAZON_CREATORS_CREDENTIAL_VERSION: '4.0',
        DATABASE_URL: 'mysql://x',
        AMAZON_PAAPI_ENABLED: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError);
    const vars = error.problems.map((p) => p.variable).sort();
    assert.deepEqual(vars, [
      'AMAZON_CREATORS_CREDENTIAL_VERSION',
      'AMAZON_PAAPI_ENABLED',
      'AMAZON_PROVIDER',
      'CODE2ASIN_PORT',
      'DATABASE_URL',
    ]);
    assert.match(
      error.message,
      /CODE2ASIN_PORT: "eighty" is .*expected a port number from 0 to 65535/,
    );
    assert.match(
      error.message,
      /AMAZON_CREATORS_CREDENTIAL_VERSION: "4.0" .*expected one of 2.1, 2.2, 2.3, 3.1, 3.2, 3.3/,
    );
  });

  it('never shows the value of a bad secret', () => {
    assert.throws(
      () => loadConfig({ CODE2ASIN_SECRET_KEY: 'my-very-secret-but-short' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes('CODE2ASIN_SECRET_KEY: (hidden)') &&
        !e.message.includes('my-very-secret'),
    );
  });

  it('reads the wrong-token bounds, and refuses a bound that is not a whole number ≥ 1', () => {
    assert.deepEqual(loadConfig({}).failedAuth, { perAddressPerMinute: 10, perSecond: 10 });
    const set = loadConfig({
      CODE2ASIN_AUTH_FAILURES_PER_MINUTE: '30',
      CODE2ASIN_AUTH_FAILURES_PER_SECOND: '200',
    });
    assert.deepEqual(set.failedAuth, { perAddressPerMinute: 30, perSecond: 200 });
    for (const [variable, bad] of [
      ['CODE2ASIN_AUTH_FAILURES_PER_MINUTE', '0'],
      ['CODE2ASIN_AUTH_FAILURES_PER_MINUTE', 'ten'],
      ['CODE2ASIN_AUTH_FAILURES_PER_SECOND', '2.5'],
      ['CODE2ASIN_AUTH_FAILURES_PER_SECOND', '-1'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [variable]: bad }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.problems.length === 1 &&
          e.problems[0]?.variable === variable &&
          e.message.includes(`${variable}: "${bad}"`) &&
          e.message.includes('a whole number ≥ 1'),
        `${variable}=${bad}`,
      );
    }
  });

  it('reads CODE2ASIN_TRUST_PROXY as false, true, a hop count or proxy addresses', () => {
    const trust = (v?: string) =>
      loadConfig(v === undefined ? {} : { CODE2ASIN_TRUST_PROXY: v }).trustProxy;
    assert.equal(trust(), false);
    assert.equal(trust('true'), true);
    assert.equal(trust('off'), false);
    assert.equal(trust('2'), 2);
    assert.deepEqual(trust('127.0.0.1, 10.0.0.0/8,::1,fd00::/8'), [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    assert.deepEqual(trust('loopback,uniquelocal'), ['loopback', 'uniquelocal']);
    for (const bad of ['proxy.example.com', '10.0.0.0/33', '-1', '1.2.3']) {
      assert.throws(
        () => loadConfig({ CODE2ASIN_TRUST_PROXY: bad }),
        (e: unknown) =>
          e instanceof ConfigError &&
          /CODE2ASIN_TRUST_PROXY: .* not true, false, a hop count or addresses\/CIDRs; expected/.test(
            e.message,
          ),
        bad,
      );
    }
  });
});
