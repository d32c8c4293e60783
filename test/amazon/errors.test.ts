import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AmazonError } from '../../src/amazon/errors.js';
import { networkError } from '../../src/amazon/errors.js';
import {
  errorFromResponse,
  readErrorBody,
  retryAfterHeaderMs,
} from '../../src/amazon/response-errors.js';
import { backoffMs, DEFAULT_RETRY_POLICY } from '../../src/amazon/retry.js';

function classify(
  provider: 'creators' | 'paapi',
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): AmazonError {
  return errorFromResponse({
    provider,
    status,
    body,
    headers: new Headers(headers),
    requestId: 'req-1',
    secrets: ['s3cr3tvalue'],
  });
}

describe('error bodies', () => {
  it('reads `type`, `__type` with a namespace, and PA-API Errors[]', () => {
    assert.deepEqual(
      readErrorBody({ type: 'ThrottleException', message: 'slow down', retryAfterSeconds: 60 }),
      {
        type: 'ThrottleException',
        reason: null,
        message: 'slow down',
        retryAfterSeconds: 60,
      },
    );
    const nf = readErrorBody({
      __type: 'com.amazon.creators#ResourceNotFoundException',
      message: 'No results found for your search request',
    });
    assert.equal(nf.type, 'ResourceNotFoundException');
    const pa = readErrorBody({
      __type: 'com.amazon.paapi5#TooManyRequestsException',
      Errors: [{ Code: 'TooManyRequests', Message: 'The request was denied' }],
    });
    assert.deepEqual(
      [pa.type, pa.reason, pa.message],
      ['TooManyRequestsException', 'TooManyRequests', 'The request was denied'],
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(retryAfterHeaderMs(new Headers({ 'retry-after': '2' })), 2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(
      retryAfterHeaderMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now),
      5000,
    );
    assert.equal(retryAfterHeaderMs(new Headers()), null);
  });
});

describe('error classification', () => {
  const cases: [string, 'creators' | 'paapi', number, unknown, string, boolean][] = [
    [
      'Creators 429',
      'creators',
      429,
      { type: 'ThrottleException', message: 'x', retryAfterSeconds: 3 },
      'api_rate_limit',
      true,
    ],
    [
      'PA-API 429',
      'paapi',
      429,
      {
        __type: 'com.amazon.paapi5#TooManyRequestsException',
        Errors: [{ Code: 'TooManyRequests', Message: 'x' }],
      },
      'api_rate_limit',
      true,
    ],
    [
      'token expired',
      'creators',
      401,
      {
        type: 'UnauthorizedException',
        reason: 'TokenExpired',
        message: 'Authentication token has expired.',
      },
      'auth',
      false,
    ],
    [
      'bad signature',
      'paapi',
      401,
      {
        __type: 'com.amazon.paapi5#InvalidSignatureException',
        Errors: [{ Code: 'InvalidSignature', Message: 'x' }],
      },
      'auth',
      false,
    ],
    [
      'not eligible',
      'creators',
      403,
      { type: 'AccessDeniedException', reason: 'AssociateNotEligible', message: 'x' },
      'not_eligible',
      false,
    ],
    [
      'PA-API not eligible',
      'paapi',
      403,
      {
        __type: 'com.amazon.paapi5#AccessDeniedException',
        Errors: [{ Code: 'AccessDenied', Message: 'x' }],
      },
      'not_eligible',
      false,
    ],
    [
      'bad partner tag',
      'creators',
      400,
      { type: 'ValidationException', reason: 'InvalidPartnerTag', message: 'x' },
      'auth',
      false,
    ],
    [
      'validation',
      'creators',
      400,
      { type: 'ValidationException', reason: 'FieldValidationFailed', fieldList: ['partnerTag'] },
      'invalid_data',
      false,
    ],
    [
      'not found',
      'creators',
      404,
      { type: 'ResourceNotFoundException', message: 'No items found' },
      'not_found',
      false,
    ],
    ['server', 'creators', 500, { type: 'InternalServerException' }, 'unknown', true],
    ['unavailable, no body', 'paapi', 503, null, 'unknown', true],
  ];
  for (const [name, provider, status, body, code, retryable] of cases) {
    it(`${name} → ${code}`, () => {
      const e = classify(provider, status, body);
      assert.equal(e.code, code);
      assert.equal(e.retryable, retryable);
      assert.equal(e.status, status);
      assert.equal(e.requestId, 'req-1');
    });
  }

  it('honours retryAfterSeconds, then Retry-After', () => {
    assert.equal(
      classify(
        'creators',
        429,
        { type: 'ThrottleException', retryAfterSeconds: 3 },
        { 'retry-after': '9' },
      ).retryAfterMs,
      3000,
    );
    assert.equal(classify('paapi', 429, {}, { 'retry-after': '9' }).retryAfterMs, 9000);
    assert.equal(classify('paapi', 429, {}).retryAfterMs, null);
  });

  it('says what to do next and never shows secrets', () => {
    const e = classify('creators', 401, {
      type: 'UnauthorizedException',
      reason: 'InvalidClient',
      message: 'client s3cr3tvalue unknown',
    });
    assert.match(e.message, /AMAZON_CREATORS_CREDENTIAL_ID/);
    assert.match(e.message, /PUT \/api\/v1\/amazon\/config/);
    assert.doesNotMatch(e.message, /s3cr3tvalue/);
    assert.match(classify('paapi', 401, {}).message, /AMAZON_PAAPI_ACCESS_KEY/);
  });

  it('wraps transport failures and timeouts as retryable network errors with the cause', () => {
    const cause = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const e = networkError(cause, 'Creators API searchItems');
    assert.deepEqual([e.code, e.retryable, e.cause], ['network', true, cause]);
    assert.match(e.message, /ECONNREFUSED/);
    const t = networkError(new DOMException('timed out', 'TimeoutError'), 'PA-API GetItems', 500);
    assert.match(t.message, /timed out after 500 ms.*AMAZON_TIMEOUT_MS/);
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped, and jitters within [exp/2, exp]', () => {
    const p = DEFAULT_RETRY_POLICY;
    assert.equal(
      backoffMs(1, p, () => 0),
      250,
    );
    assert.equal(
      backoffMs(1, p, () => 1),
      500,
    );
    assert.equal(
      backoffMs(3, p, () => 1),
      2000,
    );
    assert.equal(
      backoffMs(20, p, () => 1),
      p.maxDelayMs,
    );
  });
});
