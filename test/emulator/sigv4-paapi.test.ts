import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { PaapiCredential, RunningEmulator } from '../../src/emulator/index.js';
import type { SignableRequest } from '../../src/emulator/sigv4-verify.js';
import {
  canonicalRequest,
  computeSignature,
  parseAuthorization,
  payloadHash,
  signingKey,
} from '../../src/emulator/sigv4-verify.js';
import { createHash } from 'node:crypto';
import { paapiCall, startTestEmulator } from './helpers.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function vector(
  method: string,
  url: string,
  extra: [string, string][],
  body: string,
  signed: string[],
  region = 'us-east-1',
  service = 'service',
  date = '20150830T123600Z',
  host = 'example.amazonaws.com',
) {
  const req: SignableRequest = {
    method,
    url,
    rawHeaders: [['Host', host], ['X-Amz-Date', date], ...extra],
    body,
  };
  const auth = parseAuthorization(
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date.slice(0, 8)}/${region}/${service}/aws4_request, SignedHeaders=${signed.join(';')}, Signature=0`,
  );
  assert.ok(auth);
  return {
    req,
    auth,
    canonical: canonicalRequest(req, signed),
    signature: computeSignature(req, auth, SECRET, date),
  };
}

describe('SigV4 verifier: AWS test-suite vectors (reference §5)', () => {
  it('get-vanilla', () => {
    const v = vector('GET', '/', [], '', ['host', 'x-amz-date']);
    assert.equal(
      v.canonical,
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.equal(
      sha(v.canonical),
      'bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
    );
    assert.equal(v.signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it('post-vanilla', () => {
    const v = vector('POST', '/', [], '', ['host', 'x-amz-date']);
    assert.equal(
      sha(v.canonical),
      '553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87',
    );
    assert.equal(v.signature, '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('get-vanilla-query-order-key-case', () => {
    const v = vector('GET', '/?Param2=value2&Param1=value1', [], '', ['host', 'x-amz-date']);
    assert.equal(v.canonical.split('\n')[2], 'Param1=value1&Param2=value2');
    assert.equal(v.signature, 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('post-x-www-form-urlencoded', () => {
    const v = vector(
      'POST',
      '/',
      [['Content-Type', 'application/x-www-form-urlencoded']],
      'Param1=value1',
      ['content-type', 'host', 'x-amz-date'],
    );
    assert.equal(v.signature, 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a');
  });

  it('signing-key derivation (iam, 20120215)', () => {
    assert.equal(
      signingKey(SECRET, '20120215', 'us-east-1', 'iam').toString('hex'),
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('the PA-API-shaped example of §5.3', () => {
    const body =
      '{"Keywords":"3017620422003","SearchIndex":"All","ItemCount":10,"PartnerTag":"xyz-21","PartnerType":"Associates","Marketplace":"www.amazon.fr","Resources":["ItemInfo.ExternalIds","ItemInfo.Title"]}';
    const headers: [string, string][] = [
      ['content-encoding', 'amz-1.0'],
      ['content-type', 'application/json; charset=utf-8'],
      ['x-amz-target', 'com.amazon.paapi5.v1.ProductAdvertisingAPIv1.SearchItems'],
    ];
    const v = vector(
      'POST',
      '/paapi5/searchitems',
      headers,
      body,
      ['content-encoding', 'content-type', 'host', 'x-amz-date', 'x-amz-target'],
      'eu-west-1',
      'ProductAdvertisingAPI',
      '20240115T103000Z',
      'webservices.amazon.fr',
    );
    assert.equal(
      payloadHash(body),
      'ad327e30f0ebef2b8be9acb785c3b56002ae12583685318f12f373d1e3e643ed',
    );
    assert.equal(
      sha(v.canonical),
      '037a47350964a672e2001ad82b502dc6ded14985d93285141513abaf3bb8c414',
    );
    assert.equal(v.signature, '1fdad39c10b1fb6352324dba6529f23bb7a35d1265e22ecf754e6c8073b0dc0f');
  });
});

type SdkCallback = (
  error: { status?: number; response?: { text: string } } | null,
  data: unknown,
) => void;

function sdkSearch(emu: RunningEmulator, cred: PaapiCredential, secretKey: string) {
  const require = createRequire(import.meta.url);
  const sdk = require('paapi5-nodejs-sdk') as Record<string, new () => Record<string, unknown>>;
  const client = new sdk.ApiClient!();
  const host = new URL(emu.url).host;
  Object.assign(client, { accessKey: cred.accessKey, secretKey, host, region: cred.region });
  // The SDK always builds https://<host><path>; the emulator speaks plain HTTP.
  client.buildUrl = (path: string) => `http://${host}${path}`;
  const api = new (
    sdk.DefaultApi as unknown as new (c: unknown) => {
      searchItems(r: unknown, cb: SdkCallback): void;
    }
  )(client);
  const request = new sdk.SearchItemsRequest!();
  Object.assign(request, {
    PartnerTag: cred.partnerTag,
    PartnerType: 'Associates',
    Marketplace: 'www.amazon.fr',
    Keywords: '3017620422003',
    SearchIndex: 'All',
    ItemCount: 2,
    Resources: ['ItemInfo.Title', 'ItemInfo.ExternalIds', 'OffersV2.Listings.Price'],
  });
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve) => {
    api.searchItems(request, (error, data) => {
      if (error)
        resolve({
          status: error.status ?? 0,
          body: JSON.parse(error.response?.text ?? '{}') as Record<string, unknown>,
        });
      else resolve({ status: 200, body: data as Record<string, unknown> });
    });
  });
}

describe('PA-API 5.0 on the emulator', () => {
  let emu: RunningEmulator;
  let cred: PaapiCredential;
  before(async () => {
    emu = await startTestEmulator();
    cred = emu.credentials.find((c) => c.kind === 'paapi') as PaapiCredential;
  });
  after(() => emu.close());

  it("Amazon's own Node SDK (paapi5-nodejs-sdk) signs a SearchItems that gets a 200", async () => {
    const res = await sdkSearch(emu, cred, cred.secretKey);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const items = (
      res.body.SearchResult as {
        Items: { ASIN: string; ItemInfo: { ExternalIds: { EANs: { DisplayValues: string[] } } } }[];
      }
    ).Items;
    assert.equal(items[0]?.ASIN, 'B0DEMO0001');
    assert.deepEqual(items[0]?.ItemInfo.ExternalIds.EANs.DisplayValues, ['3017620422003']);
  });

  it('the same SDK request with a wrong secret gets 401 InvalidSignature', async () => {
    const res = await sdkSearch(emu, cred, `${cred.secretKey}x`);
    assert.equal(res.status, 401);
    assert.equal(res.body.__type, 'com.amazon.paapi5#InvalidSignatureException');
    assert.equal((res.body.Errors as { Code: string }[])[0]?.Code, 'InvalidSignature');
  });

  it('PascalCase responses, partial Errors in a 200, ogi links', async () => {
    const res = await paapiCall(emu, 'GetItems', {
      ItemIds: ['B0DEMO0001', 'B0NOTHERE1'],
      ItemIdType: 'ASIN',
      Marketplace: 'www.amazon.fr',
      Resources: ['ItemInfo.Title', 'ParentASIN'],
    });
    assert.equal(res.status, 200);
    const item = (res.body.ItemsResult as { Items: Record<string, unknown>[] }).Items[0];
    assert.deepEqual(Object.keys(item ?? {}).sort(), ['ASIN', 'DetailPageURL', 'ItemInfo']);
    assert.match(String(item?.DetailPageURL), /linkCode=ogi/);
    assert.deepEqual(res.body.Errors, [
      {
        __type: 'com.amazon.paapi5#ErrorData',
        Code: 'InvalidParameterValue',
        Message: 'The ItemId B0NOTHERE1 provided in the request is invalid.',
      },
    ]);
  });

  it('refuses Offers (V1), camelCase resources, a missing PartnerType; serves OffersV2', async () => {
    const v1 = await paapiCall(emu, 'SearchItems', {
      Keywords: 'galettes',
      Resources: ['Offers.Listings.Price'],
    });
    assert.equal(v1.status, 400);
    assert.equal((v1.body.Errors as { Code: string }[])[0]?.Code, 'InvalidParameterValue');
    const camel = await paapiCall(emu, 'SearchItems', {
      Keywords: 'galettes',
      Resources: ['itemInfo.title'],
    });
    assert.equal(camel.status, 400);
    const noType = await paapiCall(emu, 'SearchItems', {
      Keywords: 'galettes',
      PartnerType: undefined,
    });
    assert.deepEqual(noType.body, {
      __type: 'com.amazon.paapi5#MissingParameterException',
      Errors: [
        {
          Code: 'MissingParameter',
          Message: 'The request must contain the parameter PartnerType.',
        },
      ],
    });
    const v2 = await paapiCall(emu, 'SearchItems', {
      Keywords: 'galettes',
      Resources: ['OffersV2.Listings.Price', 'OffersV2.Listings.Availability'],
    });
    assert.equal(v2.status, 200);
    const listing =
      (v2.body.SearchResult as { Items: { OffersV2: { Listings: Record<string, unknown>[] } }[] })
        .Items[0]?.OffersV2.Listings[0] ?? {};
    assert.deepEqual(Object.keys(listing).sort(), ['Availability', 'Price']);
  });

  it('signature errors: unknown key, wrong region, wrong target, unsigned headers', async () => {
    const unknown = await paapiCall(
      emu,
      'SearchItems',
      { Keywords: 'x' },
      { credential: { ...cred, accessKey: 'AKIAUNKNOWN000000000' } },
    );
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, {
      __type: 'com.amazon.paapi5#UnrecognizedClientException',
      Errors: [
        {
          Code: 'UnrecognizedClient',
          Message: 'The Access Key ID or security token included in the request is invalid.',
        },
      ],
    });
    const region = await paapiCall(
      emu,
      'SearchItems',
      { Keywords: 'x', Marketplace: 'www.amazon.fr' },
      { region: 'us-east-1' },
    );
    assert.equal(region.status, 401);
    assert.equal((region.body.Errors as { Code: string }[])[0]?.Code, 'InvalidSignature');
    const target = await paapiCall(
      emu,
      'SearchItems',
      { Keywords: 'x' },
      { target: 'com.amazon.paapi5.v1.ProductAdvertisingAPIv1.GetItems' },
    );
    assert.equal(target.status, 400);
    const unsigned = await paapiCall(
      emu,
      'SearchItems',
      { Keywords: 'x' },
      { omit: ['content-encoding'] },
    );
    assert.equal(unsigned.status, 400);
    assert.equal(unsigned.body.__type, 'com.amazon.paapi5#IncompleteSignatureException');
  });

  it('403 AssociateNotEligible for a key flagged not eligible', async () => {
    const gen = await startTestEmulator({ generate: { count: 30, seed: 2 } });
    try {
      const blocked = gen.credentials.filter((c) => c.kind === 'paapi')[1] as PaapiCredential;
      const res = await paapiCall(
        gen,
        'SearchItems',
        { Keywords: 'lego' },
        { credential: blocked },
      );
      assert.equal(res.status, 403);
      assert.equal(res.body.__type, 'com.amazon.paapi5#AccessDeniedException');
      assert.equal((res.body.Errors as { Code: string }[])[0]?.Code, 'AssociateNotEligible');
    } finally {
      await gen.close();
    }
  });

  it('a request signed more than 5 minutes ago is refused', async () => {
    const url = new URL(`${emu.url}/paapi5/searchitems`);
    const body = JSON.stringify({
      Keywords: 'x',
      PartnerTag: cred.partnerTag,
      PartnerType: 'Associates',
    });
    const old = new Date(Date.now() - 10 * 60_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const headers: [string, string][] = [
      ['content-encoding', 'amz-1.0'],
      ['host', url.host],
      ['x-amz-date', old],
      ['x-amz-target', 'com.amazon.paapi5.v1.ProductAdvertisingAPIv1.SearchItems'],
    ];
    const signed = headers.map(([h]) => h);
    const auth = parseAuthorization(
      `AWS4-HMAC-SHA256 Credential=${cred.accessKey}/${old.slice(0, 8)}/eu-west-1/ProductAdvertisingAPI/aws4_request, SignedHeaders=${signed.join(';')}, Signature=0`,
    );
    assert.ok(auth);
    const signature = computeSignature(
      { method: 'POST', url: url.pathname, rawHeaders: headers, body },
      auth,
      cred.secretKey,
      old,
    );
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        ...Object.fromEntries(headers.filter(([h]) => h !== 'host')),
        authorization: `AWS4-HMAC-SHA256 Credential=${cred.accessKey}/${old.slice(0, 8)}/eu-west-1/ProductAdvertisingAPI/aws4_request, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
      },
    });
    assert.equal(res.status, 401);
    assert.equal(
      ((await res.json()) as { __type: string }).__type,
      'com.amazon.paapi5#RequestExpiredException',
    );
  });
});
