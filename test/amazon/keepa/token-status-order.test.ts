import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeepaTokenBudget } from '../../../src/amazon/keepa/keepa-token-budget.js';
import type { KeepaTokenStatus } from '../../../src/amazon/keepa/keepa-http.js';
import {
  supersedesTokenStatus,
  type QuotaCredential,
  type QuotaTokenStatus,
} from '../../../src/amazon/quota-recorder.js';
import { createRateLimiter } from '../../../src/amazon/rate-limiter.js';
import { createDatabaseQuotaStore } from '../../../src/db/quota-store.js';
import { forEachDatabase } from '../../helpers/database.js';
import { ManualClock } from '../manual-clock.js';

/**
 * Answers to concurrent Keepa requests arrive in any order, and each process sees only its own:
 * the balance kept is the one Keepa gave last by its own clock, never the last to arrive.
 */
const status = (
  tokensLeft: number,
  observedAtMs: number | null,
  tokensConsumed = 100,
): KeepaTokenStatus & QuotaTokenStatus => ({
  tokensLeft,
  refillInMs: 30_000,
  refillRate: 60,
  tokensConsumed,
  observedAtMs,
});

test('the later answer by Keepa’s clock wins; the same millisecond keeps the lower balance', () => {
  assert.equal(supersedesTokenStatus(status(150, 1000), null), true);
  assert.equal(supersedesTokenStatus(status(150, 999), status(50, 1000)), false, 'older');
  assert.equal(
    supersedesTokenStatus(status(150, 1000), status(50, 1000)),
    false,
    'same ms, higher',
  );
  assert.equal(supersedesTokenStatus(status(0, 1000), status(50, 1000)), true, 'same ms, lower');
  assert.equal(supersedesTokenStatus(status(400, 61_000), status(0, 1000)), true, 'after a refill');
  assert.equal(supersedesTokenStatus(status(150, null), status(50, 1000)), true, 'no stamp');
});

test('the budget keeps the balance of the last answer Keepa gave, whatever the arrival order', () => {
  const clock = new ManualClock();
  const budget = new KeepaTokenBudget(createRateLimiter({ tps: 1000, burst: 1000, clock }), clock);
  // Three requests answered 150, 50 and 0 tokens left, arriving 0, 150, 50.
  budget.settle(100, status(0, 1000));
  budget.settle(100, status(150, 1000));
  budget.settle(50, status(50, 1000, 50));
  assert.equal(budget.tokenState().tokensLeft, 0);
  assert.equal(budget.tokenState().tokensConsumed, 250, 'every answer’s cost still counts');
  // A later answer (after a refill) replaces it even though it is higher.
  budget.settle(1, status(59, 61_000, 1));
  assert.equal(budget.tokenState().tokensLeft, 59);
});

forEachDatabase('quota status from two processes', (ctx) => {
  test('a process flushing an older answer after another never overwrites the later balance', async () => {
    const clock = new ManualClock();
    const database = ctx.database();
    const credential: QuotaCredential = {
      key: 'keepa:order-test',
      provider: 'keepa',
      credential: '…0001',
      tps: 1,
      tpd: 8640,
    };
    const a = createDatabaseQuotaStore(database, { now: () => clock.now(), flushMs: 3_600_000 });
    const b = createDatabaseQuotaStore(database, { now: () => clock.now(), flushMs: 3_600_000 });
    try {
      // In one process too, answers arrive out of order: 0 (stamped 2000) then 150 (stamped 1000).
      a.tokens(credential, status(0, 2000));
      a.tokens(credential, status(150, 1000));
      await a.flush();
      b.tokens(credential, status(250, 1500)); // B's answer came before A's last one.
      await b.flush();
      const [after] = await a.read();
      assert.equal(after?.status.tokens_left, 0);
      assert.equal(after?.status.observed_ms, 2000);
      // The same millisecond: the lower balance is the later state.
      b.tokens(credential, status(-20, 2000));
      await b.flush();
      a.tokens(credential, status(10, 2000));
      await a.flush();
      assert.equal((await a.read())[0]?.status.tokens_left, -20);
      // After the refill, a later answer is taken even though it is higher.
      a.tokens(credential, status(40, 62_000));
      await a.flush();
      const [refilled] = await b.read();
      assert.equal(refilled?.status.tokens_left, 40);
      assert.equal(refilled?.status.refill_at_ms, clock.now() + 30_000);
      const usage = refilled?.usage.reduce((sum, u) => sum + u.tokens, 0);
      assert.equal(usage, 600, 'every answer’s tokens are counted, whichever status is kept');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
