import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AMAZON_SETTING_FIELDS,
  settingField,
  validateSettingsUpdate,
} from '../../src/config/amazon-setting-fields.js';
import { mergeAmazonSettings } from '../../src/config/effective-amazon-settings.js';
import { loadConfig } from '../../src/config/env.js';
import { SettingsError } from '../../src/config/settings-error.js';
import { requireOwnSecretForNewUrls } from '../../src/config/test-secrets.js';

/**
 * Issue #13 item 3, for every provider: a `POST /api/v1/amazon/test` body that moves any URL
 * setting (Creators, PA-API, SP-API, Keepa, and any added later: found by their keys, not listed
 * here) must bring the secret sent there, or a configured secret would reach a listener of the
 * caller's choosing. The HTTP route is checked end to end in test/http/amazon-routes.test.ts.
 */
const URL_KEYS = AMAZON_SETTING_FIELDS.map((f) => f.key).filter((k) =>
  /_(url|endpoint|host)$/.test(k),
);
const SECRET_KEYS = AMAZON_SETTING_FIELDS.filter((f) => f.secret).map((f) => f.key);

/** Settings where every secret is configured (stored), as on a running service. */
function configured() {
  const updatedAt = '2026-12-05T00:00:00Z';
  const stored = new Map(
    SECRET_KEYS.map((key) => [key, { value: `stored-${key}`, secret: true, updatedAt }]),
  );
  return mergeAmazonSettings(loadConfig({}), stored);
}

function secretRequired(update: Record<string, string | null>): string[] {
  try {
    requireOwnSecretForNewUrls(configured(), validateSettingsUpdate(update));
  } catch (error) {
    assert.ok(error instanceof SettingsError, String(error));
    assert.equal(error.code, 'secret_required');
    return (error.details.problems as { field: string }[]).map((p) => p.field);
  }
  return [];
}

describe('a test that moves a URL brings its own secret', () => {
  it('knows the URL settings of every provider', () => {
    for (const key of [
      'creators_api_url',
      'creators_token_url',
      'paapi_host',
      'paapi_endpoint',
      'spapi_endpoint',
      'spapi_token_url',
      'keepa_api_url',
    ])
      assert.ok(URL_KEYS.includes(key), key);
  });

  for (const key of URL_KEYS) {
    it(`${key} moved elsewhere: refused without the secret sent there, accepted with it`, () => {
      const elsewhere = key.endsWith('_host') ? '127.0.0.9' : 'http://127.0.0.9:9/';
      const required = secretRequired({ [key]: elsewhere });
      assert.ok(required.length > 0, `${key} sends no secret?`);
      for (const secret of required) assert.equal(settingField(secret)?.secret, true, secret);
      const own = Object.fromEntries(required.map((s) => [s, `own-${s}`]));
      assert.deepEqual(secretRequired({ [key]: elsewhere, ...own }), []);
      // Back to the environment or default (null) is no move.
      assert.deepEqual(secretRequired({ [key]: null }), []);
    });
  }
});
