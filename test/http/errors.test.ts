import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AmazonError } from '../../src/amazon/errors.js';
import { SettingsError } from '../../src/config/settings-error.js';
import { FileError } from '../../src/files/file-error.js';
import { mapError } from '../../src/http/errors.js';
import { HttpError } from '../../src/http/http-error.js';
import { JobError } from '../../src/jobs/errors.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf } from './http-helpers.js';

describe('error mapping', () => {
  it('maps every job error code', () => {
    const cases = {
      job_not_found: 404,
      illegal_transition: 409,
      invalid_options: 400,
      input_invalid: 400,
      no_valid_codes: 400,
      retry_limit_reached: 409,
    } as const;
    for (const [code, status] of Object.entries(cases)) {
      const m = mapError(new JobError(code as keyof typeof cases, `msg ${code}`, { id: 'j1' }));
      assert.equal(m?.status, status, code);
      assert.equal(m?.code, code);
      assert.deepEqual(m?.details, { id: 'j1' });
    }
  });

  it('maps file errors: too_large 413, unsupported_format 415, others 400', () => {
    assert.equal(mapError(new FileError('too_large', 'big'))?.status, 413);
    assert.equal(mapError(new FileError('unsupported_format', 'xls'))?.status, 415);
    assert.equal(mapError(new FileError('no_code_column', 'none'))?.status, 400);
    assert.equal(mapError(new FileError('empty_file', 'none'))?.code, 'empty_file');
  });

  it('maps Amazon errors by code, with Retry-After on throttling', () => {
    const status = (e: AmazonError) => mapError(e)?.status;
    assert.equal(status(new AmazonError('auth', 'refused', { reason: 'InvalidClient' })), 502);
    assert.equal(status(new AmazonError('not_eligible', 'no sales')), 403);
    assert.equal(status(new AmazonError('network', 'refused', { reason: 'NetworkError' })), 502);
    assert.equal(status(new AmazonError('network', 'slow', { reason: 'Timeout' })), 504);
    assert.equal(status(new AmazonError('invalid_data', 'bad')), 400);
    assert.equal(status(new AmazonError('not_found', 'none')), 404);
    assert.equal(status(new AmazonError('unknown', '500')), 502);
    assert.equal(status(new AmazonError('auth', 'x', { reason: 'MissingCredential' })), 503);
    const throttled = mapError(
      new AmazonError('api_rate_limit', 'slow down', { retryAfterMs: 2500 }),
    );
    assert.equal(throttled?.status, 429);
    assert.equal(throttled?.code, 'amazon_api_rate_limit');
    assert.equal(throttled?.headers['retry-after'], '3');
  });

  it('maps settings errors and HttpError as given; unknown errors to null', () => {
    assert.equal(mapError(new SettingsError('invalid_settings', 'bad'))?.status, 400);
    assert.equal(mapError(new SettingsError('secret_undecryptable', 'key'))?.status, 500);
    const e = mapError(new HttpError(418, 'teapot', 'short and stout', { a: 1 }, { 'x-a': 'b' }));
    assert.deepEqual(e, {
      status: 418,
      code: 'teapot',
      message: 'short and stout',
      details: { a: 1 },
      headers: { 'x-a': 'b' },
    });
    assert.equal(mapError(new Error('boom')), null);
    assert.equal(mapError('a string'), null);
  });
});

forEachDatabase('HTTP error answers', (ctx) => {
  it('answers 404 for unknown routes in the error shape, with a request id', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const res = await t.call({ method: 'GET', url: '/api/v1/nothing-here?token=x', token: null });
      assert.equal(res.statusCode, 404);
      const error = errorOf(res);
      assert.equal(error.code, 'route_not_found');
      assert.match(error.message, /\/api\/docs/);
      assert.equal(error.details.path, '/api/v1/nothing-here');
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    } finally {
      await t.close();
    }
  });

  it('keeps a sane incoming x-request-id and replaces an unsafe one', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const kept = await t.call({
        method: 'GET',
        url: '/health',
        headers: { 'x-request-id': 'req-12345678' },
      });
      assert.equal(kept.headers['x-request-id'], 'req-12345678');
      const replaced = await t.call({
        method: 'GET',
        url: '/health',
        headers: { 'x-request-id': 'a b\nc' },
      });
      assert.notEqual(replaced.headers['x-request-id'], 'a b\nc');
      assert.ok(t.logs.text().includes('req-12345678'), 'the request id is in the access log');
    } finally {
      await t.close();
    }
  });

  it('answers 400 naming the field and the problem on validation errors', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const missing = await t.call({ method: 'GET', url: '/api/v1/amazon/products/search' });
      assert.equal(missing.statusCode, 400);
      const e1 = errorOf(missing);
      assert.equal(e1.code, 'validation_failed');
      assert.equal(e1.details.field, 'code');
      assert.match(e1.message, /querystring "code" is required/);
      const wrongType = await t.call({
        method: 'PUT',
        url: '/api/v1/amazon/config',
        payload: { tps: 'fast' },
      });
      assert.equal(wrongType.statusCode, 400);
      assert.match(errorOf(wrongType).message, /body "tps" must be number/);
      const badJson = await t.call({
        method: 'PUT',
        url: '/api/v1/amazon/config',
        headers: { 'content-type': 'application/json' },
        payload: '{"tps":',
      });
      assert.equal(badJson.statusCode, 400);
      assert.equal(errorOf(badJson).code, 'invalid_body');
    } finally {
      await t.close();
    }
  });

  it('answers 500 internal_error without internals, logged with the request id', async () => {
    const t = await createTestApp(ctx.database());
    t.app.get('/api/v1/test/boom', async () => {
      throw new Error('db password hunter2 at /srv/secret/path');
    });
    t.app.get('/api/v1/test/job', async () => {
      throw new JobError('illegal_transition', 'Job j1 is completed: it cannot be paused.', {
        status: 'completed',
      });
    });
    try {
      const res = await t.call({ method: 'GET', url: '/api/v1/test/boom' });
      assert.equal(res.statusCode, 500);
      const error = errorOf(res);
      assert.equal(error.code, 'internal_error');
      assert.ok(!res.body.includes('hunter2') && !res.body.includes('/srv/secret'), res.body);
      const id = String(res.headers['x-request-id']);
      assert.equal(error.details.request_id, id);
      const logged = t.logs.lines.find((l) => l.includes('"request failed"'));
      assert.ok(logged?.includes(id), 'the failure is logged with the request id');
      assert.ok(logged?.includes('hunter2'), 'the log keeps the cause for the operator');

      const job = await t.call({ method: 'GET', url: '/api/v1/test/job' });
      assert.equal(job.statusCode, 409);
      assert.deepEqual(errorOf(job), {
        code: 'illegal_transition',
        message: 'Job j1 is completed: it cannot be paused.',
        details: { status: 'completed' },
      });
    } finally {
      await t.close();
    }
  });

  it('sets security headers', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const res = await t.call({ method: 'GET', url: '/health', token: null });
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(res.headers['content-security-policy']);
      assert.equal(res.headers['access-control-allow-origin'], undefined, 'CORS is off');
    } finally {
      await t.close();
    }
  });

  it('answers CORS preflights only for the configured origins', async () => {
    const t = await createTestApp(ctx.database(), {
      env: { CODE2ASIN_CORS_ORIGINS: 'https://app.example.com' },
    });
    try {
      const preflight = (origin: string) =>
        t.call({
          method: 'OPTIONS',
          url: '/api/v1/amazon/config',
          token: null,
          headers: {
            origin,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'authorization',
          },
        });
      const ok = await preflight('https://app.example.com');
      assert.equal(ok.statusCode, 204);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
      const other = await preflight('https://evil.example.net');
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await t.close();
    }
  });
});
