import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { clientFor, startTestEmulator, statsOf, truthOf } from './emulator-setup.js';
import { ManualClock } from './manual-clock.js';

const tokenRequests = (emu: RunningEmulator, i = 0): number =>
  statsOf(emu, 'creators', i)?.operations.token?.requests ?? 0;

describe('Creators API tokens', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.close());

  it('fetches one token and reuses it (2.x Cognito, form-encoded)', async () => {
    const client = clientFor(emu, 'creators', {}, {}, 0);
    const codes = truthOf(emu, 'exact_unique')
      .slice(0, 3)
      .map((t) => t.code);
    for (const code of codes) await client.searchByCodes([code]);
    assert.equal(tokenRequests(emu, 0), 1);
    assert.equal(statsOf(emu, 'creators', 0)?.status['2xx'], 4);
  });

  it('concurrent calls on a cold client share one token fetch (3.x LWA, JSON)', async () => {
    const client = clientFor(emu, 'creators', {}, {}, 1);
    const codes = truthOf(emu, 'exact_unique')
      .slice(0, 10)
      .map((t) => t.code);
    const out = await Promise.all(codes.map((c) => client.searchByCodes([c])));
    assert.ok(out.every((m) => [...m.values()].every((o) => o.status === 'found')));
    assert.equal(tokenRequests(emu, 1), 1);
  });

  it('after revocation: one 401, one refresh, the call succeeds', async () => {
    const client = clientFor(emu, 'creators', {}, {}, 0);
    await client.searchByCodes([truthOf(emu, 'exact_unique')[0]?.code as string]);
    const tokensBefore = tokenRequests(emu, 0);
    // A rejected token is counted under the unauthenticated key `-` by the emulator.
    const fourBefore = emu.stats().total.status['4xx'];
    emu.revokeTokens();
    const out = await client.searchByCodes([truthOf(emu, 'exact_unique')[1]?.code as string]);
    assert.equal([...out.values()][0]?.status, 'found');
    assert.equal(tokenRequests(emu, 0), tokensBefore + 1);
    assert.equal(emu.stats().total.status['4xx'] - fourBefore, 1, 'exactly one 401');
  });

  it('a secret the token endpoint refuses: one token request per call, never a second try', async () => {
    // A refused token is not one the API rejected: asked again with the same secret, the token
    // endpoint refuses again (it doubled the refused requests of a job).
    const client = clientFor(
      emu,
      'creators',
      { AMAZON_CREATORS_CREDENTIAL_SECRET: 'not-the-secret-the-emulator-knows' },
      {},
      1,
    );
    const tokensBefore = tokenRequests(emu, 1);
    const refusedBefore = statsOf(emu, 'creators', 1)?.status['4xx'] ?? 0;
    const out = await client.searchByCodes([truthOf(emu, 'exact_unique')[0]?.code as string]);
    assert.equal([...out.values()][0]?.status, 'error');
    assert.equal(tokenRequests(emu, 1) - tokensBefore, 1, 'one refused token request');
    assert.equal((statsOf(emu, 'creators', 1)?.status['4xx'] ?? 0) - refusedBefore, 1);
  });
});

describe('Creators API token expiry', () => {
  // The client and the emulator share a manual clock: token lifetimes are counted on it, so a
  // slow answer on a busy machine never ages a token behind the test's back.
  const clock = new ManualClock();
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator({ tokenTtlS: 2, now: () => clock.now() });
  });
  after(() => emu.close());

  it('refreshes before expiry: no TokenExpired over several lifetimes', async () => {
    // A rate that never makes a search wait: this test is about tokens, not pacing.
    const client = clientFor(
      emu,
      'creators',
      { AMAZON_TPS: '100', AMAZON_BURST: '100' },
      { clock },
    );
    const codes = truthOf(emu, 'exact_unique').map((t) => t.code);
    // 18 searches, 250 ms apart on the clock: 4.25 s, over two lifetimes of 2 s.
    for (let i = 0; i < 18; i += 1) {
      const out = await client.searchByCodes([codes[i % codes.length] as string]);
      assert.equal([...out.values()][0]?.status, 'found');
      clock.t += 250;
    }
    assert.equal(emu.stats().total.status['4xx'], 0, 'no 401 TokenExpired');
    // Refresh margin 500 ms (a quarter of the lifetime): a refresh starts in the background
    // 1 s after a token came, and blocks from 1.5 s. So a fetch every 1 to 1.5 s of the clock
    // (the background answer may come a step or two late): 3 to 5 over 4.25 s.
    assert.ok(
      tokenRequests(emu) >= 3 && tokenRequests(emu) <= 5,
      `token fetches ${tokenRequests(emu)}`,
    );
  });
});
