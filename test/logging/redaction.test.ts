import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/http/app.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { registerSecret } from '../../src/logging/logger.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';

const SECRETS = {
  credentialSecret: 'cs_7f3a9b2c4d5e6f708192a3b4c5d6e7f8',
  paapiSecret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  bearer: 'Atc|MQICIJvSKVTZexampletokenvalue',
  dbPassword: 'pg-pass-9876',
};

describe('secret redaction in logs', () => {
  it('masks configured secrets wherever they appear: message, objects, arrays, errors', () => {
    const cap = createCapturingLogger({ secrets: [SECRETS.credentialSecret, SECRETS.paapiSecret] });
    cap.logger.info(`token request with ${SECRETS.credentialSecret}`);
    cap.logger.info({ nested: { list: [`x ${SECRETS.paapiSecret} y`] } }, 'nested');
    cap.logger.error({ err: new Error(`failed for ${SECRETS.credentialSecret}`) }, 'error');
    const text = cap.text();
    assert.ok(!text.includes(SECRETS.credentialSecret), text);
    assert.ok(!text.includes(SECRETS.paapiSecret), text);
    assert.match(text, /\[REDACTED\]/);
    assert.match(text, /token request with \[REDACTED\]/);
  });

  it('masks values under secret-named keys and inline credentials even when not registered', () => {
    const cap = createCapturingLogger();
    cap.logger.info(
      {
        headers: { authorization: `Bearer ${SECRETS.bearer}`, 'x-marketplace': 'www.amazon.fr' },
        body: { client_id: 'amzn1.application-oa2-client.abc', client_secret: 'plain-secret-1' },
        AMAZON_PAAPI_SECRET_KEY: 'plain-secret-2',
        access_token: 'plain-secret-3',
        url: `postgres://user:${SECRETS.dbPassword}@db/c2a`,
      },
      `sent Authorization: Bearer ${SECRETS.bearer} and client_secret=plain-secret-4&x=1`,
    );
    const text = cap.text();
    for (const s of [
      SECRETS.bearer,
      'plain-secret-1',
      'plain-secret-2',
      'plain-secret-3',
      'plain-secret-4',
      SECRETS.dbPassword,
    ]) {
      assert.ok(!text.includes(s), `${s} leaked: ${text}`);
    }
    assert.match(text, /www\.amazon\.fr/);
    assert.match(text, /amzn1\.application-oa2-client\.abc/);
  });

  it('masks secrets registered after start (stored settings) in every logger', () => {
    const cap = createCapturingLogger();
    registerSecret('late-registered-secret-42');
    cap.logger.warn('value late-registered-secret-42 seen');
    assert.ok(!cap.text().includes('late-registered-secret-42'));
  });

  it('keeps the Authorization header of HTTP requests out of access logs', async () => {
    const cap = createCapturingLogger({ level: 'trace' });
    const database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    const app = await buildApp({ database, logger: cap.logger });
    try {
      const res = await app.inject({
        method: 'GET',
        url: `/health?token=${SECRETS.bearer}`,
        headers: { authorization: `Bearer ${SECRETS.bearer}` },
      });
      assert.equal(res.statusCode, 200);
      assert.ok(cap.lines.length > 0, 'requests are logged');
      assert.ok(!cap.text().includes(SECRETS.bearer), cap.text());
    } finally {
      await app.close();
      await database.close();
    }
  });
});
