import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findMarketplace,
  getMarketplace,
  isVersionValidFor,
  MARKETPLACES,
} from '../../src/amazon/marketplaces.js';

describe('marketplaces', () => {
  it('lists the 22 Creators API marketplaces with unique domains and country codes', () => {
    assert.equal(MARKETPLACES.length, 22);
    assert.equal(new Set(MARKETPLACES.map((m) => m.domain)).size, 22);
    assert.equal(new Set(MARKETPLACES.map((m) => m.countryCode)).size, 22);
  });

  it('finds by domain, bare domain, URL or country code', () => {
    for (const key of [
      'www.amazon.fr',
      'amazon.fr',
      'https://www.amazon.fr/',
      'fr',
      'FR',
      ' Fr ',
    ]) {
      assert.equal(findMarketplace(key)?.domain, 'www.amazon.fr', key);
    }
    assert.equal(findMarketplace('uk')?.domain, 'www.amazon.co.uk');
    assert.equal(findMarketplace('gb')?.domain, 'www.amazon.co.uk');
    assert.equal(findMarketplace('de')?.currency, 'EUR');
    assert.equal(findMarketplace('xx'), undefined);
    assert.throws(
      () => getMarketplace('www.amazon.cn'),
      /Unknown Amazon marketplace.*www\.amazon\.fr/,
    );
  });

  it('maps regions to PA-API hosts, signing regions and credential versions (reference §1.3, §2.2)', () => {
    const fr = getMarketplace('fr');
    assert.deepEqual(
      [fr.region, fr.paapiHost, fr.paapiRegion, fr.defaultLanguage, [...fr.credentialVersions]],
      ['EU', 'webservices.amazon.fr', 'eu-west-1', 'fr_FR', ['2.2', '3.2']],
    );
    const us = getMarketplace('us');
    assert.deepEqual(
      [us.region, us.paapiHost, us.paapiRegion, us.currency],
      ['NA', 'webservices.amazon.com', 'us-east-1', 'USD'],
    );
    const jp = getMarketplace('www.amazon.co.jp');
    assert.deepEqual(
      [jp.region, jp.paapiHost, jp.paapiRegion, jp.currency],
      ['FE', 'webservices.amazon.co.jp', 'us-west-2', 'JPY'],
    );
    assert.equal(getMarketplace('be').paapiHost, 'webservices.amazon.com.be');
    assert.equal(getMarketplace('be').defaultLanguage, 'fr_BE');
    assert.equal(getMarketplace('uk').defaultLanguage, 'en_GB');
    assert.ok(isVersionValidFor(getMarketplace('au'), '3.3'));
    assert.ok(!isVersionValidFor(getMarketplace('au'), '3.2'));
    const regions = { NA: 4, EU: 15, FE: 3 };
    for (const [r, n] of Object.entries(regions))
      assert.equal(MARKETPLACES.filter((m) => m.region === r).length, n, r);
  });
});
