import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadAmazonSettings } from '../../src/config/effective-amazon-settings.js';
import { loadConfig } from '../../src/config/env.js';
import {
  readProviderSettings,
  reencryptStoredSecrets,
  writeProviderSettings,
} from '../../src/config/provider-settings.js';
import { decryptSecret, encryptSecret, SecretBoxError } from '../../src/config/secret-box.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, TEST_KEY } from './http-helpers.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const isSecret = (key: string) => key.endsWith('_secret') || key.endsWith('_secret_key');

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips with a random IV per value, in the v1 format', () => {
    const a = encryptSecret(SECRET, key, 'amazon:x');
    const b = encryptSecret(SECRET, key, 'amazon:x');
    assert.match(a, /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes(SECRET));
    assert.deepEqual(decryptSecret(a, [key], 'amazon:x'), { plaintext: SECRET, keyIndex: 0 });
  });

  it('detects tampering, a wrong key and a value moved to another setting', () => {
    const stored = encryptSecret(SECRET, key, 'amazon:x');
    const [v, iv, tag, ct] = stored.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const cases = [
      [v, iv, tag, flipped.toString('base64')].join(':'),
      [v, iv, Buffer.alloc(16).toString('base64'), ct].join(':'),
    ];
    for (const bad of cases) {
      assert.throws(
        () => decryptSecret(bad, [key], 'amazon:x'),
        (e: unknown) => e instanceof SecretBoxError && e.code === 'undecryptable',
      );
    }
    assert.throws(() => decryptSecret(stored, [randomBytes(32)], 'amazon:x'), SecretBoxError);
    assert.throws(() => decryptSecret(stored, [key], 'amazon:y'), SecretBoxError);
    assert.throws(() => decryptSecret('plain text', [key], 'amazon:x'), /v1:<iv>/);
  });
});

forEachDatabase('stored provider settings', (ctx) => {
  it('encrypts secrets at rest and reads them back; serp_api is an alias of amazon', async () => {
    const db = ctx.database().db;
    const keys = { current: TEST_KEY };
    await writeProviderSettings(
      db,
      'serp_api',
      new Map([
        ['paapi_secret_key', SECRET],
        ['marketplace', 'www.amazon.de'],
      ]),
      { keys, isSecret },
    );
    const rows = await db.selectFrom('provider_settings').selectAll().execute();
    assert.deepEqual(
      rows.map((r) => r.provider),
      ['amazon', 'amazon'],
    );
    assert.ok(!JSON.stringify(rows).includes(SECRET), 'no clear secret in the table');
    const viaAlias = await readProviderSettings(db, 'serp_api', keys);
    assert.equal(viaAlias.get('paapi_secret_key')?.value, SECRET);
    assert.equal(viaAlias.get('marketplace')?.value, 'www.amazon.de');
    await writeProviderSettings(
      db,
      'amazon',
      new Map([
        ['paapi_secret_key', null],
        ['marketplace', null],
      ]),
      { keys, isSecret },
    );
    assert.equal((await readProviderSettings(db, 'amazon', keys)).size, 0);
    await assert.rejects(readProviderSettings(db, 'keepa', keys), /Unknown provider "keepa"/);
  });

  it('reads rows the original system stored under serp_api', async () => {
    const db = ctx.database().db;
    await db
      .insertInto('provider_settings')
      .values({
        provider: 'serp_api',
        key: 'associate_tag',
        value: 'legacy-21',
        is_secret: 0,
        updated_at: new Date().toISOString(),
      })
      .execute();
    const settings = await readProviderSettings(db, 'amazon', { current: TEST_KEY });
    assert.equal(settings.get('associate_tag')?.value, 'legacy-21');
    await writeProviderSettings(db, 'amazon', new Map([['associate_tag', 'new-21']]), {
      keys: { current: TEST_KEY },
      isSecret,
    });
    const rows = await db
      .selectFrom('provider_settings')
      .selectAll()
      .where('key', '=', 'associate_tag')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.provider, r.value]),
      [['amazon', 'new-21']],
    );
    await db.deleteFrom('provider_settings').execute();
  });

  it('effective settings: default < env < stored, with the source of each value', async () => {
    const db = ctx.database().db;
    const config = loadConfig({ AMAZON_MARKETPLACE: 'www.amazon.de', AMAZON_TPS: '2' });
    const keys = { current: TEST_KEY };
    await writeProviderSettings(db, 'amazon', new Map([['tps', '0.5']]), { keys, isSecret });
    const effective = await loadAmazonSettings(db, config, keys);
    assert.deepEqual(effective.fields.get('provider'), {
      value: 'creators',
      source: 'default',
      secret: false,
    });
    assert.deepEqual(effective.fields.get('marketplace'), {
      value: 'www.amazon.de',
      source: 'env',
      secret: false,
    });
    assert.deepEqual(effective.fields.get('tps'), { value: 0.5, source: 'stored', secret: false });
    assert.equal(effective.fields.get('associate_tag')?.value, undefined);
    assert.equal(effective.settings.tps, 0.5);
    assert.equal(effective.settings.marketplace, 'www.amazon.de');
    assert.equal(effective.settings.burst, 1);
    await db.deleteFrom('provider_settings').execute();
  });

  it('rotates the key: the previous key still reads, re-encryption moves values to the new key', async () => {
    const db = ctx.database().db;
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await writeProviderSettings(db, 'amazon', new Map([['creators_credential_secret', SECRET]]), {
      keys: { current: oldKey },
      isSecret,
    });
    await assert.rejects(
      readProviderSettings(db, 'amazon', { current: newKey }),
      (e: Error & { code?: string }) =>
        e.code === 'secret_undecryptable' &&
        /CODE2ASIN_PREVIOUS_SECRET_KEY/.test(e.message) &&
        !e.message.includes(SECRET),
    );
    const during = { current: newKey, previous: oldKey };
    assert.equal(
      (await readProviderSettings(db, 'amazon', during)).get('creators_credential_secret')?.value,
      SECRET,
    );
    assert.equal(await reencryptStoredSecrets(db, during), 1);
    assert.equal(await reencryptStoredSecrets(db, during), 0, 'idempotent');
    const after = await readProviderSettings(db, 'amazon', { current: newKey });
    assert.equal(after.get('creators_credential_secret')?.value, SECRET);
    await assert.rejects(
      readProviderSettings(db, 'amazon', { current: oldKey }),
      /cannot be decrypted/,
    );
    await db.deleteFrom('provider_settings').execute();
  });

  it('over HTTP: a stored value survives a restart with the rotated key and a tampered one is reported', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const first = await createTestApp(ctx.database(), { secretKey: oldKey });
    try {
      const put = await first.call({
        method: 'PUT',
        url: '/api/v1/amazon/config',
        payload: { paapi_secret_key: SECRET },
      });
      assert.equal(put.statusCode, 200);
    } finally {
      await first.close();
    }
    const rotated = await createTestApp(ctx.database(), {
      secretKey: newKey,
      previousSecretKey: oldKey,
    });
    try {
      const res = await rotated.call({ method: 'GET', url: '/api/v1/amazon/config' });
      assert.deepEqual(res.json().settings.paapi_secret_key, {
        value: null,
        set: true,
        source: 'stored',
        secret: true,
      });
      assert.ok(!res.body.includes('wJ'), 'nothing of the secret is shown');
    } finally {
      await rotated.close();
    }
    const db = ctx.database().db;
    await db
      .updateTable('provider_settings')
      .set({ value: 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA' })
      .execute();
    const broken = await createTestApp(ctx.database(), { secretKey: newKey });
    try {
      const res = await broken.call({ method: 'GET', url: '/api/v1/amazon/config' });
      assert.equal(res.statusCode, 500);
      assert.equal(errorOf(res).code, 'secret_undecryptable');
      assert.match(errorOf(res).message, /PUT \/api\/v1\/amazon\/config/);
      const fix = await broken.call({
        method: 'PUT',
        url: '/api/v1/amazon/config',
        payload: { paapi_secret_key: null },
      });
      assert.equal(fix.statusCode, 200);
      assert.equal(fix.json().settings.paapi_secret_key.source, 'default');
    } finally {
      await broken.close();
      await db.deleteFrom('provider_settings').execute();
    }
  });
});
