import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import {
  startEmulator,
  type RunningEmulator,
  type SpapiCredential,
} from '../../src/emulator/index.js';
import { testCatalog } from '../amazon/emulator-setup.js';
import type * as AuthModule from '@sp-api-sdk/auth';
import type * as CatalogItemsModule from '@sp-api-sdk/catalog-items-api-2022-04-01';

/**
 * Wire proof with a client nobody here wrote: `@sp-api-sdk/auth` and
 * `@sp-api-sdk/catalog-items-api-2022-04-01` drive the emulator. Neither lets its hosts be
 * configured, so every request goes through an axios adapter that sends Amazon's LWA and EU
 * hosts to the emulator and refuses any other address (traffic stays on loopback).
 */
const AMAZON_HOSTS = ['https://api.amazon.com', 'https://sellingpartnerapi-eu.amazon.com'];
const FR = 'A13V1IB3VIYZZH';

function loopbackAdapter(emulatorUrl: string): AxiosAdapter {
  const http = axios.getAdapter('http');
  return (config: InternalAxiosRequestConfig) => {
    const full = axios.getUri(config);
    const host = AMAZON_HOSTS.find((h) => full.startsWith(h));
    if (!host) return Promise.reject(new Error(`refused non-emulator URL ${full}`));
    return http({
      ...config,
      baseURL: undefined,
      url: emulatorUrl + full.slice(host.length),
      params: undefined,
    });
  };
}

describe('SP-API wire compatibility with @sp-api-sdk (Catalog Items 2022-04-01)', () => {
  let emu: RunningEmulator;
  let sdk: typeof CatalogItemsModule;
  let auth: typeof AuthModule;
  let cred: SpapiCredential;
  let clock = Date.now();
  before(async () => {
    // A frozen emulator clock: the 2/s bucket never refills, so the throttled call is certain.
    emu = await startEmulator({ port: 0, catalog: testCatalog(), latencyMs: 0, now: () => clock });
    cred = emu.credentials.find((c): c is SpapiCredential => c.kind === 'spapi') as SpapiCredential;
    // Instances the SDKs create inherit the default adapter (auth creates its own at import).
    axios.defaults.adapter = loopbackAdapter(emu.url);
    auth = await import('@sp-api-sdk/auth');
    sdk = await import('@sp-api-sdk/catalog-items-api-2022-04-01');
  });
  after(async () => {
    axios.defaults.adapter = undefined;
    await emu.close();
  });

  function client() {
    const a = new auth.SellingPartnerApiAuth({
      clientId: cred.clientId,
      clientSecret: cred.clientSecret,
      refreshToken: cred.refreshToken,
    });
    return new sdk.CatalogItemsApiClient({ auth: a, region: 'eu' });
  }

  const eans = () => {
    const products = emu.catalog.marketplaces['www.amazon.fr']?.products ?? [];
    return products
      .flatMap((p) => p.eans ?? [])
      .filter((e) => /^\d{13}$/.test(e))
      .slice(0, 20);
  };

  it('searches 20 EANs, follows nextToken page by page, then gets one item; a 3rd request in the second is 429', async () => {
    clock += 10_000; // a full bucket (burst 2)
    const c = client();
    const codes = eans();
    assert.equal(codes.length, 20);
    const first = await c.searchCatalogItems({
      marketplaceIds: [FR],
      identifiers: codes,
      identifiersType: 'EAN',
      includedData: ['identifiers', 'summaries', 'relationships'],
      pageSize: 15,
    });
    assert.ok(first.data.numberOfResults >= 20, `${first.data.numberOfResults} items`);
    assert.equal(first.data.items.length, 15);
    const token = first.data.pagination?.nextToken;
    assert.ok(token, 'more items than one page: a nextToken');
    const second = await c.searchCatalogItems({
      marketplaceIds: [FR],
      identifiers: codes,
      identifiersType: 'EAN',
      includedData: ['identifiers', 'summaries', 'relationships'],
      pageSize: 15,
      pageToken: token,
    });
    const asins = [...first.data.items, ...second.data.items].map((i) => i.asin);
    assert.equal(asins.length, first.data.numberOfResults);
    assert.equal(new Set(asins).size, asins.length, 'pages do not overlap');
    const listed = new Set(
      [...first.data.items, ...second.data.items].flatMap((i) =>
        (i.identifiers?.[0]?.identifiers ?? []).map((x) => x.identifier),
      ),
    );
    assert.ok(
      codes.every((code) => listed.has(code)),
      'every EAN is listed by an item',
    );

    const thrown = await c
      .getCatalogItem({
        asin: asins[0] as string,
        marketplaceIds: [FR],
        includedData: ['summaries'],
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(thrown instanceof Error, 'the 3rd request within a frozen second is refused');
    const res = (
      thrown as { response?: { status: number; data: unknown; headers: Record<string, string> } }
    ).response;
    assert.equal(res?.status, 429);
    assert.deepEqual(
      (res?.data as { errors: { code: string }[] }).errors.map((e) => e.code),
      ['QuotaExceeded'],
    );
    assert.equal(res?.headers['x-amzn-ratelimit-limit'], '2');
    assert.ok(res?.headers['x-amzn-requestid']);

    clock += 1_000; // two tokens back
    const item = await c.getCatalogItem({
      asin: asins[0] as string,
      marketplaceIds: [FR],
      includedData: ['summaries', 'identifiers'],
    });
    assert.equal(item.data.asin, asins[0]);
    assert.ok(item.data.summaries?.[0]?.itemName);
    assert.equal(item.data.summaries?.[0]?.marketplaceId, FR);
  });

  it('a wrong refresh token is refused by the token endpoint as LWA writes it', async () => {
    clock += 10_000;
    const a = new auth.SellingPartnerApiAuth({
      clientId: cred.clientId,
      clientSecret: cred.clientSecret,
      refreshToken: 'Atzr|not-issued',
    });
    const c = new sdk.CatalogItemsApiClient({ auth: a, region: 'eu' });
    const e = await c.getCatalogItem({ asin: 'B000000000', marketplaceIds: [FR] }).then(
      () => null,
      (x: unknown) => x as { response?: { status: number; data: { error: string } } },
    );
    assert.equal(e?.response?.status, 400);
    assert.equal(e?.response?.data.error, 'invalid_grant');
  });
});
