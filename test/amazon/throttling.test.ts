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

for (const kind of ['creators', 'paapi'] as const satisfies Kind[]) {
  describe(`throttling: ${kind}`, () => {
    it('a burst of 10 searches at emulator tps 2: zero 429s, ≈ N/2 s, pipelined', async () => {
      const emu = await startTestEmulator({ tps: 2, burst: 1, latencyMs: 100 });
      try {
        const client = clientFor(emu, kind, { AMAZON_TPS: '2', AMAZON_BURST: '1' });
        const codes = truthOf(emu, 'exact_unique')
          .slice(0, 10)
          .map((t) => t.code);
        await warmUp(emu, client);
        const started = performance.now();
        const out = await client.searchByCodes(codes);
        const seconds = (performance.now() - started) / 1000;
        assert.ok([...out.values()].every((o) => o.status === 'found'));
        const s = statsOf(emu, kind);
        assert.equal(s?.status['429'], 0);
        assert.equal(s?.operations.searchItems?.requests, 11);
        // 9 intervals of 0.5 s (+4 % margin at burst 1) + one 100 ms latency (pipelined: not 10 × (0.5 + 0.1)).
        assert.ok(seconds >= 4.5 && seconds < 5.4, `took ${seconds.toFixed(2)} s`);
        assert.ok((s?.maxPerSecond ?? 99) <= 3, `max per second ${s?.maxPerSecond}`);
      } finally {
        await emu.close();
      }
    });

    it('an emulator quota lower than configured (client 5 TPS, emulator 2): converges, no failed lookup', async () => {
      const emu = await startTestEmulator({ tps: 2, burst: 2 });
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
        const s = statsOf(emu, kind);
        const throttled = s?.status['429'] ?? 0;
        assert.ok(throttled >= 1 && throttled <= 6, `429s: ${throttled}`);
        assert.ok(client.limiter.state().tps < 5, 'the limiter lowered its rate');
      } finally {
        await emu.close();
      }
    });
  });
}
