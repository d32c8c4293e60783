import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AmazonError } from '../../src/amazon/errors.js';
import { mapAmazonError } from '../../src/http/error-mapping.js';

describe('Amazon errors as HTTP answers', () => {
  it('an unavailable shared limiter (our database) is 503 with Retry-After, not a bad gateway', () => {
    const m = mapAmazonError(
      new AmazonError('network', 'The shared rate limiter … is unavailable', {
        retryable: true,
        retryAfterMs: 1000,
        reason: 'RateLimitStoreUnavailable',
      }),
    );
    assert.equal(m.status, 503);
    assert.equal(m.headers?.['retry-after'], '1');
    assert.equal(m.details.retry_after_seconds, 1);
  });

  it('Amazon unreachable is 502, a timeout 504, throttling 429 with Retry-After', () => {
    assert.equal(mapAmazonError(new AmazonError('network', 'reset')).status, 502);
    assert.equal(
      mapAmazonError(new AmazonError('network', 't', { reason: 'Timeout' })).status,
      504,
    );
    const throttled = mapAmazonError(
      new AmazonError('api_rate_limit', 'slow down', { retryAfterMs: 2500 }),
    );
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers?.['retry-after'], '3');
  });
});
