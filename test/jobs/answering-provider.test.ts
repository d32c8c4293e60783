import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AmazonError, TRANSIENT_ERROR_CODES } from '../../src/amazon/errors.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { lookupErrorOf } from '../../src/jobs/unit-lookup.js';
import { forEachDatabase } from '../helpers/database.js';
import {
  createTestJobsContext,
  emulatorSettings,
  runWorkerUntilSettled,
  startTestEmulator,
} from '../helpers/jobs.js';

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ tps: 50, burst: 10, count: 60 });
});
after(async () => emu.close());

it('refused credentials and an ineligible account make the provider unusable; other classes do not', () => {
  const auth = lookupErrorOf(new AmazonError('auth', 'PA-API 401 InvalidSignature.'));
  assert.equal(auth.providerUnusable, true);
  assert.match(auth.pauseMessage ?? '', /^Amazon refused the credentials: PA-API 401/);
  const ineligible = lookupErrorOf(new AmazonError('not_eligible', 'Creators API 403.'));
  assert.equal(ineligible.providerUnusable, true);
  assert.match(ineligible.pauseMessage ?? '', /Creators API 403/);
  for (const code of ['network', 'api_rate_limit', 'invalid_data', 'not_found'] as const) {
    const e = lookupErrorOf(new AmazonError(code, 'x'));
    assert.equal(e.providerUnusable, false, code);
    assert.equal(e.pauseMessage, null, code);
  }
  const thrown = lookupErrorOf(new TypeError('boom'));
  assert.equal(thrown.code, 'unknown');
  assert.equal(thrown.providerUnusable, false);
  // A job is retried on the schedule for these classes only: one list, derived from the classes.
  assert.deepEqual([...TRANSIENT_ERROR_CODES].sort(), ['api_rate_limit', 'network', 'unknown']);
});

forEachDatabase('the provider that answered is recorded', (db) => {
  it('on each result and cache entry, and a cached answer keeps its provider', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = emu.catalog.truth!.slice(0, 6).map((t) => t.code);
    const byProvider = async (jobId: string) =>
      ctx.database.db
        .selectFrom('code2asin_results')
        .select(['provider', 'source'])
        .where('job_id', '=', jobId)
        .execute();

    const paapi = await createJob(ctx, {
      owner: 'p',
      options: { name: 'PA-API', marketplaces: ['fr'], refresh: true },
      codes,
    });
    await runWorkerUntilSettled(ctx, emu, [paapi.id], {
      settings: emulatorSettings(emu, {}, 'paapi'),
    });
    const first = await byProvider(paapi.id);
    assert.equal(first.length, codes.length);
    assert.ok(first.every((r) => r.provider === 'paapi' && r.source === 'api'));
    const cached = await ctx.database.db.selectFrom('amazon_mappings').select('provider').execute();
    assert.ok(cached.length > 0 && cached.every((m) => m.provider === 'paapi'));

    // Looked up again through Creators: the new answers say so.
    const creators = await createJob(ctx, {
      owner: 'c',
      options: { name: 'Creators', marketplaces: ['fr'], refresh: true },
      codes,
    });
    await runWorkerUntilSettled(ctx, emu, [creators.id]);
    assert.ok((await byProvider(creators.id)).every((r) => r.provider === 'creators'));

    // From the cache: no request, and each result names the provider that gave the answer.
    const reused = await createJob(ctx, {
      owner: 'r',
      options: { name: 'Cached', marketplaces: ['fr'] },
      codes,
    });
    const fromCache = await byProvider(reused.id);
    assert.ok(fromCache.every((r) => r.source === 'cache' && r.provider === 'creators'));
  });
});
