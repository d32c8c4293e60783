import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAAPI_SERVICE, signRequest } from '../../src/amazon/paapi/signer.js';
import { toPaapiBody } from '../../src/amazon/paapi/paapi-transport.js';
import { getMarketplace } from '../../src/amazon/marketplaces.js';

// AWS SigV4 test-suite constants (reference §5.1).
const SUITE = {
  accessKey: 'AKIDEXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  date: new Date('2015-08-30T12:36:00Z'),
};

function signatureOf(authorization: string | undefined): string {
  return /Signature=([0-9a-f]{64})$/.exec(authorization ?? '')?.[1] ?? '';
}

describe('SigV4 signing (@smithy/signature-v4) against the AWS test suite', () => {
  it('get-vanilla', async () => {
    const h = await signRequest({
      ...SUITE,
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      headers: {},
      body: '',
    });
    assert.equal(
      h.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    assert.equal(h['x-amz-date'], '20150830T123600Z');
  });

  it('post-vanilla', async () => {
    const h = await signRequest({
      ...SUITE,
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: {},
      body: '',
    });
    assert.equal(
      signatureOf(h.authorization),
      '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    );
  });

  it('get-vanilla-query-order-key-case', async () => {
    const h = await signRequest({
      ...SUITE,
      method: 'GET',
      url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1',
      headers: {},
      body: '',
    });
    assert.equal(
      signatureOf(h.authorization),
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('post-x-www-form-urlencoded', async () => {
    const h = await signRequest({
      ...SUITE,
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
    });
    assert.match(h.authorization ?? '', /SignedHeaders=content-type;host;x-amz-date,/);
    assert.equal(
      signatureOf(h.authorization),
      'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    );
  });
});

describe('PA-API-shaped signature (reference §5.3)', () => {
  const body =
    '{"Keywords":"3017620422003","SearchIndex":"All","ItemCount":10,"PartnerTag":"xyz-21","PartnerType":"Associates","Marketplace":"www.amazon.fr","Resources":["ItemInfo.ExternalIds","ItemInfo.Title"]}';

  it('signs the five PA-API headers with service ProductAdvertisingAPI', async () => {
    const h = await signRequest({
      method: 'POST',
      url: 'https://webservices.amazon.fr/paapi5/searchitems',
      headers: {
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=utf-8',
        'x-amz-target': 'com.amazon.paapi5.v1.ProductAdvertisingAPIv1.SearchItems',
      },
      body,
      accessKey: SUITE.accessKey,
      secretKey: SUITE.secretKey,
      region: 'eu-west-1',
      service: PAAPI_SERVICE,
      date: new Date('2024-01-15T10:30:00Z'),
    });
    assert.equal(
      h.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/eu-west-1/ProductAdvertisingAPI/aws4_request, SignedHeaders=content-encoding;content-type;host;x-amz-date;x-amz-target, Signature=1fdad39c10b1fb6352324dba6529f23bb7a35d1265e22ecf754e6c8073b0dc0f',
    );
    assert.equal(h.host, 'webservices.amazon.fr');
    assert.equal(h['x-amz-content-sha256'], undefined);
  });

  it('the client builds that exact body from its camelCase request', () => {
    const pascal = toPaapiBody(
      {
        keywords: '3017620422003',
        searchIndex: 'All',
        itemCount: 10,
        partnerTag: 'xyz-21',
        resources: ['itemInfo.externalIds', 'itemInfo.title'],
      },
      getMarketplace('fr'),
    );
    const ordered = {
      Keywords: pascal.Keywords,
      SearchIndex: pascal.SearchIndex,
      ItemCount: pascal.ItemCount,
      PartnerTag: pascal.PartnerTag,
      PartnerType: pascal.PartnerType,
      Marketplace: pascal.Marketplace,
      Resources: pascal.Resources,
    };
    assert.equal(JSON.stringify(ordered), body);
    assert.deepEqual(Object.keys(pascal).sort(), Object.keys(ordered).sort());
  });

  it('keeps a non-default port in the signed host (emulator endpoint)', async () => {
    const h = await signRequest({
      method: 'POST',
      url: 'http://127.0.0.1:8787/paapi5/getitems',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{}',
      accessKey: 'AK',
      secretKey: 'SK',
      region: 'eu-west-1',
      service: PAAPI_SERVICE,
    });
    assert.equal(h.host, '127.0.0.1:8787');
  });
});
