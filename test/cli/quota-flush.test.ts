import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { QuotaEntry } from '../../src/amazon/quota-dashboard.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import { startCli, stopChild } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, startTestEmulator } from '../helpers/jobs.js';
import { createTestApp } from '../http/http-helpers.js';

// Issue 16: the quota figures a process holds in memory are written when `worker` or `serve`
// stops on SIGTERM/SIGINT. The processes here write them every hour only
// (CODE2ASIN_QUOTA_FLUSH_MS), so what the dashboard shows after the stop is what the stop wrote.

const SECRET = 'ab'.repeat(32);
const TOKEN = 'c2a_quota_flush_admin_token_0123456789abcdef';
const DEADLINE_MS = 300_000;
let emu: RunningEmulator;
let codes: string[];

before(async () => {
  emu = await startTestEmulator({ tps: 50, burst: 10 });
  codes = [...new Set((emu.catalog.truth ?? []).map((t) => t.code))].slice(0, 6);
});
after(() => emu.close());

function processEnv(databaseUrl: string): Record<string, string> {
  return {
    ...(emu.env('creators') as Record<string, string>),
    AMAZON_TPS: '50',
    AMAZON_BURST: '10',
    CODE2ASIN_QUOTA_FLUSH_MS: '3600000',
    CODE2ASIN_SECRET_KEY: SECRET,
    DATABASE_URL: databaseUrl,
  };
}

/** The Creators credential's searches and getItems as the emulator counted them (no token calls). */
function emulatorRequests(): number {
  const s = emu.stats().credentials[emu.env('creators').AMAZON_CREATORS_CREDENTIAL_ID as string];
  return Object.entries(s?.operations ?? {})
    .filter(([op]) => op !== 'token')
    .reduce((n, [, o]) => n + o.requests, 0);
}

/** The dashboard of a fresh app on the database: only what was stored, nothing in memory. */
async function dashboard(database: Database): Promise<QuotaEntry[]> {
  const app = await createTestApp(database);
  try {
    const res = await app.call({ method: 'GET', url: '/api/v1/amazon/quotas' });
    assert.equal(res.statusCode, 200);
    return (res.json() as { credentials: QuotaEntry[] }).credentials;
  } finally {
    await app.app.close();
  }
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

forEachDatabase('a worker stopped by SIGTERM', (db) => {
  it('writes the quota figures it held: the dashboard shows every request the emulator saw', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const worker = await startCli(['worker'], processEnv(db.url()), /worker (\S+) started/);
    try {
      const job = await createJob(ctx, {
        owner: 'flush',
        options: { name: 'Flush', marketplaces: ['fr'], refresh: true },
        codes,
      });
      await until('the job completed', async () => {
        return (await getJob(ctx.database.db, job.id)).status === 'completed';
      });
      assert.equal(await stopChild(worker.child, 'SIGTERM'), 0, worker.output());
    } finally {
      await stopChild(worker.child, 'SIGKILL');
    }
    const sent = emulatorRequests();
    assert.ok(sent >= codes.length, `${sent} requests`);
    const creators = (await dashboard(db.database())).find((c) => c.provider === 'creators');
    assert.ok(creators, 'the worker’s figures were written at its stop');
    assert.equal(creators.requests.today, sent);
  });
});

describe('serve stopped by SIGINT', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'c2a-quota-flush-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('its worker child and itself write the figures they held', async () => {
    const url = `sqlite:${join(dir, 'serve.db')}`;
    emu.resetStats();
    const serve = await startCli(
      ['serve', '--port', '0'],
      { ...processEnv(url), CODE2ASIN_ADMIN_TOKEN: TOKEN, CODE2ASIN_IMAGE_DIR: join(dir, 'img') },
      /listening on (http:\/\/[^\s"]+)/,
    );
    const base = serve.match[1] as string;
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      const created = await call('/api/v1/code2asin/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'flush', codes, marketplaces: ['fr'] }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      await until('the job completed', async () => {
        const { body } = await call(`/api/v1/code2asin/jobs/${id}`);
        return body.status === 'completed';
      });
      assert.equal(await stopChild(serve.child, 'SIGINT'), 0, serve.output());
    } finally {
      await stopChild(serve.child, 'SIGKILL');
    }
    const sent = emulatorRequests();
    assert.ok(sent >= codes.length, `${sent} requests`);
    const database = openDatabase(url);
    try {
      const creators = (await dashboard(database)).find((c) => c.provider === 'creators');
      assert.ok(creators, 'the figures were written at the stop');
      assert.equal(creators.requests.today, sent);
    } finally {
      await database.close();
    }
  });
});
