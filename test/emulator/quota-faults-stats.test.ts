import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { creatorsCall, creatorsToken, paapiCall, startTestEmulator } from './helpers.js';

describe('quota, faults and stats', () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
    clock.t = NOON;
  });
  const search = (e: RunningEmulator, token: string) =>
    creatorsCall(e, 'searchItems', { keywords: '3017620422003' }, { token });
  // The emulator's clock for the quota tests: it moves only when a test says so, so a request
  // that takes long to answer on a busy machine never refills the bucket behind the test's back.
  const NOON = Date.parse('2026-11-27T12:00:00Z');
  const clock = { t: NOON };
  const now = () => clock.t;

  it('burst then 429 ThrottleException as the SDK models it: no retry hint', async () => {
    emu = await startEmulator({ port: 0, tps: 1, burst: 3, now });
    const token = await creatorsToken(emu);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await search(emu, token));
    assert.deepEqual(
      statuses.map((r) => r.status),
      [200, 200, 200, 429, 429],
    );
    const throttled = statuses[3];
    assert.deepEqual(throttled?.body, {
      type: 'ThrottleException',
      message:
        'The request was denied due to request throttling. Please verify the number of requests made per second.',
      serviceCode: 'creatorsapi',
      quotaCode: 'RequestsPerSecond',
    });
    assert.equal(throttled?.headers.get('retry-after'), null);
    clock.t += 1000;
    assert.equal((await search(emu, token)).status, 200, 'the bucket refills at tps');
    const stats = emu.stats();
    const ops = stats.credentials['demo-creators-v22']?.operations.searchItems;
    assert.deepEqual(ops?.status, { '2xx': 4, '4xx': 0, '429': 2, '5xx': 0 });
    assert.equal(ops?.maxPerSecond, 5);
    const http = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as typeof stats;
    assert.equal(http.credentials['demo-creators-v22']?.requests, 7, 'token + 6 searches');
    emu.resetStats();
    assert.equal(emu.stats().total.requests, 0);
  });

  it('daily limit: 429 once tpd requests were admitted', async () => {
    emu = await startTestEmulator({ tpd: 2, now });
    const token = await creatorsToken(emu);
    const s = [await search(emu, token), await search(emu, token), await search(emu, token)];
    assert.deepEqual(
      s.map((r) => r.status),
      [200, 200, 429],
    );
    assert.equal(s[2]?.body.quotaCode, 'RequestsPerDay');
    assert.equal(s[2]?.body.retryAfterSeconds, undefined);
  });

  it('PA-API throttling is 429 TooManyRequestsException', async () => {
    emu = await startEmulator({ port: 0, tps: 1, burst: 1, now });
    const body = { Keywords: '3017620422003', Marketplace: 'www.amazon.fr' };
    assert.equal((await paapiCall(emu, 'SearchItems', body)).status, 200);
    const res = await paapiCall(emu, 'SearchItems', body);
    assert.equal(res.status, 429);
    assert.deepEqual(res.body, {
      __type: 'com.amazon.paapi5#TooManyRequestsException',
      Errors: [
        {
          Code: 'TooManyRequests',
          Message:
            'The request was denied due to request throttling. Please verify the number of requests made per second to the Amazon Product Advertising API.',
        },
      ],
    });
  });

  it('faults: 500 and 503 bodies, malformed JSON, a hang until the client gives up', async () => {
    emu = await startTestEmulator();
    const token = await creatorsToken(emu);
    emu.setFaults({ failNext: 1 });
    const e500 = await search(emu, token);
    assert.equal(e500.status, 500);
    assert.deepEqual(e500.body, {
      type: 'InternalServerException',
      message: 'An unexpected error occurred while processing your request.',
    });
    emu.setFaults({ failNext: 1, failStatus: 503 });
    assert.equal((await search(emu, token)).status, 503);
    emu.setFaults({ malformedNext: 1 });
    await assert.rejects(search(emu, token), SyntaxError);
    emu.setFaults({ hangNext: 1 });
    const hung = fetch(`${emu.url}/catalog/v1/searchItems`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}, Version 2.2`,
        'x-marketplace': 'www.amazon.fr',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ partnerTag: 'demo-21', keywords: 'galettes' }),
      signal: AbortSignal.timeout(300),
    });
    await assert.rejects(hung, (e: Error) => e.name === 'TimeoutError');
    assert.equal((await search(emu, token)).status, 200, 'back to normal');
    assert.equal(
      emu.stats().credentials['demo-creators-v22']?.operations.searchItems?.status['5xx'],
      3,
    );
  });

  it('faultRate 1 fails every call; latency adds at least latencyMs less its jitter', async () => {
    emu = await startTestEmulator({ faultRate: 1 });
    const token = await creatorsToken(emu);
    for (let i = 0; i < 4; i++) assert.ok([500, 503].includes((await search(emu, token)).status));
    emu.setFaults({ faultRate: 0, latencyMs: 200 });
    const t0 = performance.now();
    assert.equal((await search(emu, token)).status, 200);
    const took = performance.now() - t0;
    // At least the drawn latency: 200 ms − the 20 % jitter, − 1 ms of timer rounding. No upper
    // bound: on a busy machine an answer may come any time later.
    assert.ok(took >= 200 * 0.8 - 1, `took ${took} ms`);
  });
});
