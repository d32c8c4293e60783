import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settingField, validateSettingsUpdate } from '../../src/config/amazon-setting-fields.js';
import { mergeAmazonSettings } from '../../src/config/effective-amazon-settings.js';
import { loadConfig } from '../../src/config/env.js';
import { requireOwnSecretForNewUrls } from '../../src/config/test-secrets.js';
import { SettingsError } from '../../src/config/settings-error.js';
import { amazonReadiness } from '../../src/amazon/readiness.js';

const stored = (entries: Record<string, string>) =>
  new Map(
    Object.entries(entries).map(([k, v]) => [
      k,
      { value: v, secret: settingField(k)?.secret ?? false, updatedAt: '2026-12-05T00:00:00Z' },
    ]),
  );

describe('SP-API settings', () => {
  it('the two SP-API secrets are secret fields; the rate follows the stored provider unless set', () => {
    assert.equal(settingField('spapi_client_secret')?.secret, true);
    assert.equal(settingField('spapi_refresh_token')?.secret, true);
    assert.equal(settingField('spapi_client_id')?.secret, false);
    const config = loadConfig({});
    const spapi = mergeAmazonSettings(config, stored({ provider: 'spapi', spapi_client_id: 'id' }));
    assert.deepEqual([spapi.settings.tps, spapi.settings.burst], [2, 2]);
    assert.equal(spapi.fields.get('tps')?.source, 'default');
    const pinned = mergeAmazonSettings(config, stored({ provider: 'spapi', tps: '0.5' }));
    assert.deepEqual([pinned.settings.tps, pinned.settings.burst], [0.5, 2]);
    const creators = mergeAmazonSettings(config, stored({}));
    assert.deepEqual([creators.settings.tps, creators.settings.burst], [1, 1]);
  });

  it('AMAZON_CHAIN_RATES reaches the effective settings every process runs on', () => {
    const config = loadConfig({ AMAZON_CHAIN_RATES: 'creators=25/2,keepa=50/5' });
    const merged = mergeAmazonSettings(config, stored({ provider: 'spapi' }));
    assert.deepEqual(merged.settings.chainRates, {
      creators: { tps: 25, burst: 2 },
      keepa: { tps: 50, burst: 5 },
    });
    assert.equal(mergeAmazonSettings(loadConfig({}), stored({})).settings.chainRates, undefined);
  });

  it('readiness names the missing SP-API settings and no Associates tag', () => {
    const config = loadConfig({});
    const s = mergeAmazonSettings(
      config,
      stored({ provider: 'spapi', spapi_client_id: 'id' }),
    ).settings;
    const r = amazonReadiness(s, 'amazon');
    assert.equal(r.ready, false);
    assert.deepEqual(
      r.missing.map((m) => m.variable),
      ['AMAZON_SPAPI_CLIENT_SECRET', 'AMAZON_SPAPI_REFRESH_TOKEN'],
    );
    const full = mergeAmazonSettings(
      config,
      stored({
        provider: 'spapi',
        spapi_client_id: 'id',
        spapi_client_secret: 's',
        spapi_refresh_token: 'r',
      }),
    ).settings;
    assert.equal(amazonReadiness(full, 'amazon').ready, true);
  });

  it('a test that points the SP-API URLs elsewhere must bring both SP-API secrets', () => {
    const current = mergeAmazonSettings(
      loadConfig({}),
      stored({
        provider: 'spapi',
        spapi_client_id: 'id',
        spapi_client_secret: 's',
        spapi_refresh_token: 'r',
      }),
    );
    const moved = validateSettingsUpdate({ spapi_token_url: 'http://127.0.0.1:9/auth/o2/token' });
    assert.throws(
      () => requireOwnSecretForNewUrls(current, moved),
      (e: unknown) =>
        e instanceof SettingsError &&
        /spapi_client_secret is required/.test(e.message) &&
        /spapi_refresh_token is required/.test(e.message),
    );
    const withSecrets = validateSettingsUpdate({
      spapi_endpoint: 'http://127.0.0.1:9',
      spapi_client_secret: 'mine',
      spapi_refresh_token: 'mine-too',
    });
    assert.doesNotThrow(() => requireOwnSecretForNewUrls(current, withSecrets));
  });
});
