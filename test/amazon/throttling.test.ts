import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { AmazonClient } from '../../src/amazon/client.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { clientFor, startTestEmulator, statsOf, truthOf, type Kind } from './emulator-setup.js';

/**
 * The very first request of a process reaches the server late (fetch and the emulator's code
 * paths load on first use: over 100 ms here), past the limiter's start margin. Measure the
 * steady state: one request, then let the bucket refill.
 */
async function warmUp(emu: RunningEmulator, client: AmazonClient): Promise<void> {
  await client.searchByCodes([truthOf(emu, 'not_found')[0]?.code as string]);
  await delay(1100);
}

// The two providers' cases use their own emulators and clients and spend their time waiting on
// the emulator's 2/s: run side by side, the file takes one provider's time instead of both.
describe('throttling', { concurrency: true }, () => {
  for (const kind of ['creators', 'paapi'] as const satisfies Kind[]) {
    describe(`throttling: ${kind}`, () => {
      // Real time, a real emulator: only what holds however loaded the machine is. How close to
      // the quota and how pipelined a burst runs are figures of bench/amazon-quota.bench.ts.
      it('a burst of 10 searches at emulator tps 2: each code looked up once, never faster than the rate', async () => {
        const emu = await startTestEmulator({ tps: 2, burst: 1, latencyMs: 100 });
        try {
          const client = clientFor(emu, kind, { AMAZON_TPS: '2', AMAZON_BURST: '1' });
          const codes = truthOf(emu, 'exact_unique')
            .slice(0, 10)
            .map((t) => t.code);
          await warmUp(emu, client);
          const started = performance.now();
          const out = await client.searchByCodes(codes);
          const ms = performance.now() - started;
          assert.ok([...out.values()].every((o) => o.status === 'found'));
          const search = statsOf(emu, kind)?.operations.searchItems;
          const throttled = search?.status['429'] ?? 0;
          // The warm-up and one request per code, plus one per refusal: a request refused on a
          // busy machine (it arrived late after the one before) is retried, never lost, and the
          // limiter learnt from it.
          assert.equal(search?.requests, 11 + throttled);
          assert.equal(search?.status['5xx'], 0);
          assert.equal(client.limiter.state().throttles, throttled);
          // Consecutive grants are at least 1/tps apart on the limiter's clock (its catch-up after
          // a late timer stops there), so 10 requests span 9 intervals whatever the load.
          assert.ok(ms >= 9 * 500, `took ${ms.toFixed(0)} ms`);
        } finally {
          await emu.close();
        }
      });

      it('an emulator quota lower than configured (client 5 TPS, emulator 2): converges, no failed lookup', async () => {
        // Burst 1: the client's first five go at once, so at least one is refused unless the
        // emulator stamped them 1.8 s apart in all (4 × 0.45 s), which no load here comes near.
        const emu = await startTestEmulator({ tps: 2, burst: 1 });
        try {
          const client = clientFor(emu, kind, { AMAZON_TPS: '5', AMAZON_BURST: '5' });
          const codes = truthOf(emu, 'exact_unique')
            .slice(0, 16)
            .map((t) => t.code);
          const out = await client.searchByCodes(codes);
          assert.ok(
            [...out.values()].every((o) => o.status === 'found'),
            'every lookup succeeded',
          );
          const search = statsOf(emu, kind)?.operations.searchItems;
          const throttled = search?.status['429'] ?? 0;
          assert.ok(throttled >= 1, `429s: ${throttled}`);
          // Every refusal was retried and nothing else was spent: one admitted request per code.
          assert.equal(search?.status['2xx'], codes.length);
          assert.equal(search?.requests, codes.length + throttled);
          assert.ok(client.limiter.state().tps < 5, 'the limiter lowered its rate');
        } finally {
          await emu.close();
        }
      });
    });
  }
});
