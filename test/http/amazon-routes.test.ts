import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonClients } from '../../src/amazon/amazon-clients.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';

let emulator: RunningEmulator;
before(async () => {
  emulator = await startEmulator({ port: 0, tps: 200, burst: 200 });
});
after(async () => {
  await emulator.close();
});

const FAST = { AMAZON_TPS: '50', AMAZON_BURST: '10', AMAZON_TIMEOUT_MS: '3000' };

function creatorsEnv(): Record<string, string> {
  return { ...emulator.env('creators'), ...FAST };
}

/** Every secret the tests use; none may appear in a response or a log line. */
function secrets(t: TestApp): string[] {
  const paapi = emulator.env('paapi');
  return [
    creatorsEnv().AMAZON_CREATORS_CREDENTIAL_SECRET ?? '',
    paapi.AMAZON_PAAPI_SECRET_KEY ?? '',
    'wrong-secret-0123456789',
    t.admin,
  ];
}

function assertNoSecrets(t: TestApp, texts: string[]): void {
  const all = [...texts, t.logs.text()].join('\n');
  for (const s of secrets(t))
    assert.ok(s.length > 8 && !all.includes(s), `a secret leaked: ${s.slice(0, 4)}…`);
}

const requests = () => emulator.stats().total.requests;

forEachDatabase('Amazon routes against the emulator', (ctx) => {
  let t: TestApp;
  const bodies: string[] = [];
  before(async () => {
    t = await createTestApp(ctx.database(), {
      env: creatorsEnv(),
      amazonClients: createAmazonClients({ clientDeps: { retry: { maxAttempts: 1 } } }),
    });
  });
  after(async () => {
    assertNoSecrets(t, bodies);
    await t.close();
  });
  const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => {
    const res = await t.call({ method, url, payload });
    bodies.push(JSON.stringify(res.headers), res.body);
    return res;
  };

  it('GET /config shows the environment settings with sources, secrets only as set or not', async () => {
    const reader = await t.tokenFor('reader', ['read']);
    for (const token of [t.admin, reader]) {
      const res = await t.call({ method: 'GET', url: '/api/v1/amazon/config', token });
      bodies.push(res.body);
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.provider, 'creators');
      assert.deepEqual(body.settings.creators_credential_secret, {
        value: null,
        set: true,
        source: 'env',
        secret: true,
      });
      assert.deepEqual(body.settings.paapi_secret_key, {
        value: null,
        set: false,
        source: 'default',
        secret: true,
      });
      assert.equal(body.settings.creators_credential_id.value, 'demo-creators-v22');
      assert.equal(body.settings.tpd.source, 'default');
      // Not one character of the secret, whoever asks.
      const secret = creatorsEnv().AMAZON_CREATORS_CREDENTIAL_SECRET ?? '';
      assert.ok(!res.body.includes(secret.slice(0, 2) + '…'), res.body);
    }
  });

  it('GET /products/search finds the best match with confidence, reasons and candidates', async () => {
    const res = await call('GET', '/api/v1/amazon/products/search?code=3017620422003');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.found, true);
    assert.equal(body.asin, 'B0DEMO0001');
    assert.equal(body.code_type, 'EAN-13');
    assert.equal(body.marketplace, 'www.amazon.fr');
    assert.ok(['exact', 'partial'].includes(body.match_type));
    assert.ok(body.confidence > 0.5 && body.reasons.length > 0);
    assert.ok(body.candidates.some((c: { asin: string }) => c.asin === 'B0DEMO0001'));
    assert.equal(body.product.asin, 'B0DEMO0001');
  });

  it('GET /products/search refuses a malformed code or marketplace before any request', async () => {
    const before = requests();
    const bad = await call('GET', '/api/v1/amazon/products/search?code=3017620422004');
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).code, 'invalid_code');
    assert.equal(errorOf(bad).details.reason, 'bad_check_digit');
    const market = await call(
      'GET',
      '/api/v1/amazon/products/search?code=3017620422003&marketplace=www.amazon.zz',
    );
    assert.equal(market.statusCode, 400);
    assert.equal(errorOf(market).code, 'invalid_marketplace');
    assert.equal(requests(), before);
  });

  it('GET /products/search in another marketplace, and a code nobody lists', async () => {
    const de = await call(
      'GET',
      '/api/v1/amazon/products/search?code=3017620422003&marketplace=de',
    );
    assert.equal(de.statusCode, 200);
    assert.equal(de.json().marketplace, 'www.amazon.de');
    const none = await call('GET', '/api/v1/amazon/products/search?code=4000000000006');
    assert.equal(none.statusCode, 200);
    assert.equal(none.json().found, false);
    assert.equal(none.json().asin, null);
  });

  it('GET /products/{asin} and /validate', async () => {
    const product = await call('GET', '/api/v1/amazon/products/B0DEMO0001');
    assert.equal(product.statusCode, 200);
    assert.equal(product.json().product.asin, 'B0DEMO0001');
    assert.equal(product.json().marketplace, 'www.amazon.fr');
    const valid = await call('GET', '/api/v1/amazon/products/b0demo0001/validate');
    assert.deepEqual(
      { valid: valid.json().valid, asin: valid.json().asin },
      { valid: true, asin: 'B0DEMO0001' },
    );
    const missing = await call('GET', '/api/v1/amazon/products/B0ZZZZZZZZ');
    assert.equal(missing.statusCode, 404);
    assert.equal(errorOf(missing).code, 'product_not_found');
    const invalid = await call('GET', '/api/v1/amazon/products/B0ZZZZZZZZ/validate');
    assert.equal(invalid.json().valid, false);
    const before = requests();
    for (const url of ['/api/v1/amazon/products/B0X', '/api/v1/amazon/products/B0X/validate']) {
      const res = await call('GET', url);
      assert.equal(res.statusCode, 400);
      assert.equal(errorOf(res).code, 'invalid_asin');
    }
    assert.equal(requests(), before, 'malformed ASINs cost no request');
  });

  it('POST /test: ok, then each problem in plain words', async () => {
    const ok = await call('POST', '/api/v1/amazon/test');
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().ok, true);
    assert.equal(ok.json().marketplace, 'www.amazon.fr');
    assert.ok(Number.isInteger(ok.json().latency_ms));

    const problem = async (body: object) => {
      const res = await call('POST', '/api/v1/amazon/test', body);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().ok, false, res.body);
      return res.json().problem as {
        code: string;
        reason: string | null;
        message: string;
        token_endpoint?: Record<string, unknown>;
      };
    };
    const badSecret = await problem({ creators_credential_secret: 'wrong-secret-0123456789' });
    assert.equal(badSecret.code, 'amazon_auth');
    assert.match(badSecret.message, /^Amazon refused the credentials\./);
    // What the token endpoint said, as said: status, error, error_description; never the secret.
    assert.deepEqual(badSecret.token_endpoint, {
      host: new URL(emulator.url).host,
      status: 401,
      error: 'invalid_client',
      error_description: 'Client authentication failed.',
    });
    assert.match(badSecret.message, /HTTP 401 \(error "invalid_client", error_description "Client/);
    assert.doesNotMatch(JSON.stringify(badSecret), /wrong-secret/);
    const lwa = emulator.env('creators', 1);
    const badLwa = await problem({
      creators_credential_id: lwa.AMAZON_CREATORS_CREDENTIAL_ID,
      creators_credential_secret: 'wrong-secret-0123456789',
      creators_credential_version: lwa.AMAZON_CREATORS_CREDENTIAL_VERSION,
      creators_token_url: lwa.AMAZON_CREATORS_TOKEN_URL,
    });
    assert.equal(badLwa.token_endpoint?.error, 'invalid_client');
    assert.match(badLwa.message, /Versions 3\.x use Login with Amazon/);
    const wrongEndpoint = await problem({
      creators_credential_id: lwa.AMAZON_CREATORS_CREDENTIAL_ID,
      creators_credential_secret: lwa.AMAZON_CREATORS_CREDENTIAL_SECRET,
      creators_credential_version: lwa.AMAZON_CREATORS_CREDENTIAL_VERSION,
      creators_token_url: `${emulator.url}/oauth2/token`,
    });
    assert.deepEqual(
      wrongEndpoint.token_endpoint,
      {
        host: new URL(emulator.url).host,
        status: 400,
        error: 'invalid_request',
        error_description: 'Content-Type must be application/x-www-form-urlencoded.',
      },
      'a 3.x JSON body sent to a Cognito endpoint: what it said is shown',
    );
    const notEligible = await problem({
      creators_credential_id: 'demo-creators-not-eligible',
      creators_credential_secret: 'demo-secret-not-eligible',
    });
    assert.equal(notEligible.code, 'amazon_not_eligible');
    const region = await problem({ creators_credential_version: '3.1' });
    assert.equal(region.reason, 'VersionMismatch');
    assert.match(region.message, /region/);
    const unreachable = await problem({
      creators_api_url: 'http://127.0.0.1:9',
      creators_token_url: 'http://127.0.0.1:9/auth/o2/token',
      creators_credential_version: '2.2',
      creators_credential_secret: 'its-own-secret-for-this-test',
    });
    assert.equal(unreachable.code, 'amazon_network');
    assert.match(unreachable.message, /could not be reached/);
    const missing = await problem({
      associate_tag: null,
      creators_credential_secret: null,
      provider: 'paapi',
    });
    assert.equal(missing.code, 'amazon_not_configured');
    const stored = await call('GET', '/api/v1/amazon/config');
    assert.equal(stored.json().updated_at, null, 'testing stores nothing');
  });

  it('POST /test never sends the configured secret to a URL given in the request', async () => {
    // A listener standing for someone's server: it must never see a request.
    const seen: string[] = [];
    const listener = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.url} ${JSON.stringify(req.headers)} ${body}`);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const elsewhere = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const cases = [
        [{ creators_token_url: `${elsewhere}/auth/o2/token` }, 'creators_credential_secret'],
        [{ creators_api_url: elsewhere }, 'creators_credential_secret'],
        [
          { creators_token_url: `${elsewhere}/token`, creators_credential_secret: null },
          'creators_credential_secret',
        ],
        [{ provider: 'paapi', paapi_endpoint: elsewhere }, 'paapi_secret_key'],
        [{ provider: 'paapi', paapi_host: '127.0.0.1' }, 'paapi_secret_key'],
      ] as const;
      for (const [body, field] of cases) {
        const res = await call('POST', '/api/v1/amazon/test', body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(errorOf(res).code, 'secret_required');
        assert.match(errorOf(res).message, new RegExp(`^${field} is required in the test body`));
        assert.deepEqual(
          (errorOf(res).details.problems as { field: string }[]).map((p) => p.field),
          [field],
        );
      }
      assert.deepEqual(seen, [], 'nothing was sent to the given URL');
      // The same URL as configured is no change; with its own secret a new URL is tested.
      const same = await call('POST', '/api/v1/amazon/test', {
        creators_api_url: creatorsEnv().AMAZON_CREATORS_API_URL,
      });
      assert.equal(same.json().ok, true, same.body);
      const own = await call('POST', '/api/v1/amazon/test', {
        creators_token_url: `${elsewhere}/auth/o2/token`,
        creators_credential_secret: 'my-own-test-secret-0123',
      });
      assert.equal(own.json().ok, false);
      const sent = seen as string[];
      assert.equal(sent.length, 1, 'one token request, with the secret of the request');
      assert.ok(sent[0]!.includes('my-own-test-secret-0123'), sent[0]);
      const configured = creatorsEnv().AMAZON_CREATORS_CREDENTIAL_SECRET ?? '';
      assert.ok(!sent[0]!.includes(configured), 'the configured secret never left');
    } finally {
      await new Promise((r) => listener.close(r));
    }
  });

  it('PUT /config stores values over the environment; null falls back; the client follows', async () => {
    const paapi = emulator.env('paapi');
    const put = await call('PUT', '/api/v1/amazon/config', {
      provider: 'paapi',
      paapi_access_key: paapi.AMAZON_PAAPI_ACCESS_KEY,
      paapi_secret_key: paapi.AMAZON_PAAPI_SECRET_KEY,
      paapi_endpoint: paapi.AMAZON_PAAPI_ENDPOINT,
      paapi_host: paapi.AMAZON_PAAPI_HOST,
      paapi_region: paapi.AMAZON_PAAPI_REGION,
    });
    assert.equal(put.statusCode, 200, put.body);
    const settings = put.json().settings;
    assert.deepEqual(settings.provider, { value: 'paapi', source: 'stored', secret: false });
    assert.deepEqual(settings.paapi_secret_key, {
      value: null,
      set: true,
      source: 'stored',
      secret: true,
    });
    const search = await call('GET', '/api/v1/amazon/products/search?code=3017620422003');
    assert.equal(search.statusCode, 200);
    assert.equal(search.json().product.source, 'paapi', 'the stored provider is used');
    const credentials = Object.keys(emulator.stats().credentials);
    assert.ok(credentials.includes(paapi.AMAZON_PAAPI_ACCESS_KEY ?? ''), credentials.join());

    const back = await call('PUT', '/api/v1/amazon/config', {
      provider: null,
      paapi_access_key: null,
      paapi_secret_key: null,
      paapi_endpoint: null,
      paapi_host: null,
      paapi_region: null,
    });
    assert.deepEqual(back.json().settings.provider, {
      value: 'creators',
      source: 'env',
      secret: false,
    });
    const again = await call('GET', '/api/v1/amazon/products/search?code=3017620422003');
    assert.equal(again.json().product.source, 'creators');
  });

  it('PUT /config validates every field and names the bad ones', async () => {
    const bad = await call('PUT', '/api/v1/amazon/config', {
      marketplace: 'www.amazon.zz',
      creators_credential_version: '9.9',
    });
    assert.equal(bad.statusCode, 400);
    const error = errorOf(bad);
    assert.equal(error.code, 'invalid_settings');
    assert.match(error.message, /marketplace unknown marketplace/);
    assert.match(error.message, /creators_credential_version/);
    const url = await call('PUT', '/api/v1/amazon/config', { creators_api_url: 'ftp://x' });
    assert.equal(url.statusCode, 400);
    assert.match(errorOf(url).message, /creators_api_url/);
    const unknown = await call('PUT', '/api/v1/amazon/config', { api_key: 'x' });
    assert.equal(errorOf(unknown).details.field, 'api_key');
  });

  it('answers 503 while Amazon access is switched off', async () => {
    await call('PUT', '/api/v1/amazon/config', { enabled: false });
    const res = await call('GET', '/api/v1/amazon/products/B0DEMO0001');
    assert.equal(res.statusCode, 503);
    assert.equal(errorOf(res).code, 'amazon_disabled');
    await call('PUT', '/api/v1/amazon/config', { enabled: null });
  });
});
