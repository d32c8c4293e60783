import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AMAZON_SETTING_FIELDS } from '../../src/config/amazon-setting-fields.js';
import { loadAmazonSettings } from '../../src/config/effective-amazon-settings.js';
import { loadConfig } from '../../src/config/env.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/http/auth/token-repository.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import { createJobsRuntime } from '../../src/jobs/jobs-runtime.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { forEachDatabase, type DatabaseContext } from '../helpers/database.js';
import { searchRequests, startTestEmulator } from '../helpers/jobs.js';

const KEY = Buffer.alloc(32, 9);
const CODES = ['3017620422003', '0885909950805', '4006381333931'];

let emu: RunningEmulator;
before(async () => (emu = await startTestEmulator()));
after(() => emu.close());

/** `serve`'s wiring on a test database, with no Amazon setting in the environment. */
async function startService(ctx: DatabaseContext) {
  const database = ctx.database();
  const config = loadConfig({ CODE2ASIN_LOG_LEVEL: 'warn' });
  const { logger } = createCapturingLogger({ level: 'warn' });
  const keys = { current: KEY, previous: undefined };
  const runtime = createJobsRuntime({
    config,
    database,
    logger,
    keys,
    amazonSettings: async () => (await loadAmazonSettings(database.db, config, keys)).settings,
  });
  const app = await buildApp({ database, logger, config, secretKey: KEY, jobs: runtime.ctx });
  const { token } = await createToken(database.db, {
    name: 't',
    owner: 'admin',
    scopes: ['admin'],
  });
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  return {
    database,
    runtime,
    call,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

/** The emulator's settings as `PUT /api/v1/amazon/config` takes them. */
function emulatorConfigBody(): Record<string, string | number> {
  const env = emu.env('creators');
  const body: Record<string, string | number> = { tps: 20, burst: 5 };
  for (const f of AMAZON_SETTING_FIELDS) {
    const value = env[f.variable];
    if (value !== undefined) body[f.key] = value;
  }
  return body;
}

async function waitForStatus(
  database: ReturnType<DatabaseContext['database']>,
  id: string,
  status: string,
) {
  const end = Date.now() + 60_000;
  for (;;) {
    const job = await getJob(database.db, id);
    if (job.status === status) return job;
    if (Date.now() > end) throw new Error(`job ${id} is ${job.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

forEachDatabase('jobs created while Amazon is not configured', (ctx) => {
  it('wait (waiting_for_amazon) naming every missing setting, then start by themselves once PUT /config completes them', async () => {
    const s = await startService(ctx);
    try {
      emu.resetStats();
      const created = await s.call('POST', '/api/v1/code2asin/jobs', {
        name: 'before settings',
        codes: CODES,
        marketplaces: ['fr'],
      });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json() as {
        job_id: string;
        status: string;
        message: string;
        missing_settings: { variable: string; field: string }[];
        job: { status: string; error_message: string };
      };
      assert.equal(body.status, 'waiting_for_amazon');
      assert.equal(body.job.status, 'waiting_for_amazon');
      assert.deepEqual(
        body.missing_settings.map((m) => [m.variable, m.field]),
        [
          ['AMAZON_ASSOCIATE_TAG', 'associate_tag'],
          ['AMAZON_CREATORS_CREDENTIAL_ID', 'creators_credential_id'],
          ['AMAZON_CREATORS_CREDENTIAL_SECRET', 'creators_credential_secret'],
        ],
      );
      // Nothing was sent: no message may say Amazon refused anything (observation 1).
      for (const text of [body.message, body.job.error_message]) {
        assert.doesNotMatch(text, /refused/i);
        assert.match(text, /AMAZON_ASSOCIATE_TAG, AMAZON_CREATORS_CREDENTIAL_ID/);
        assert.match(text, /PUT \/api\/v1\/amazon\/config/);
        assert.match(text, /npx code2asin demo/);
      }
      s.runtime.startWorker({ idlePollMs: 50, statusRefreshMs: 50 });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await getJob(s.database.db, body.job_id)).status, 'waiting_for_amazon');
      assert.equal(searchRequests(emu), 0);

      const put = await s.call('PUT', '/api/v1/amazon/config', emulatorConfigBody());
      assert.equal(put.statusCode, 200, put.body);
      const done = await waitForStatus(s.database, body.job_id, 'completed');
      assert.equal(done.counters.done, CODES.length);
      assert.equal(done.error_message, null);
      assert.deepEqual(done.provider, { name: 'creators', source: 'amazon' });
      assert.equal(searchRequests(emu), CODES.length);
    } finally {
      await s.close();
    }
  });

  it('a job started while settings are missing goes to waiting_for_amazon, never paused as refused', async () => {
    const s = await startService(ctx);
    try {
      // The previous test stored settings, and its codes are in the cache: neither here.
      const cleared = await s.call('PUT', '/api/v1/amazon/config', {
        associate_tag: null,
        creators_credential_id: null,
        creators_credential_secret: null,
      });
      assert.equal(cleared.statusCode, 200, cleared.body);
      const created = await s.call('POST', '/api/v1/code2asin/jobs', {
        name: 'started later',
        codes: ['5901234123457', '9780201379624', '0012345678905'],
        marketplaces: ['fr'],
        options: { auto_start: false },
      });
      const id = (created.json() as { job_id: string }).job_id;
      const started = await s.call('POST', `/api/v1/code2asin/jobs/${id}/start`);
      assert.equal(started.statusCode, 200, started.body);
      s.runtime.startWorker({ idlePollMs: 50, statusRefreshMs: 50 });
      const waiting = await waitForStatus(s.database, id, 'waiting_for_amazon');
      assert.doesNotMatch(waiting.error_message ?? '', /refused/i);
      assert.match(waiting.error_message ?? '', /AMAZON_CREATORS_CREDENTIAL_SECRET/);
      const view = await s.call('GET', `/api/v1/code2asin/jobs/${id}`);
      assert.deepEqual((view.json() as { allowed_actions: string[] }).allowed_actions, [
        'pause',
        'cancel',
        'delete',
      ]);
    } finally {
      await s.close();
    }
  });
});
