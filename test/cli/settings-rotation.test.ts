import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AMAZON_SETTING_FIELDS } from '../../src/config/amazon-setting-fields.js';
import { SETTINGS_CHECK_MS } from '../../src/config/effective-amazon-settings.js';
import { openDatabase } from '../../src/db/database.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { BIN, CLI_TIMEOUT_MS, ROOT, startCli, stopChild } from '../helpers/cli.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../helpers/database.js';
import { startTestEmulator } from '../helpers/jobs.js';
import { startReleasableProxy, type ReleasableProxy } from '../helpers/releasable-proxy.js';

/**
 * Amazon settings stored through `PUT /api/v1/amazon/config` reach every process that looks codes
 * up, while it runs: `serve` with its worker inline or as a child, `code2asin worker`, `map`.
 * Each run starts on the environment's credential; a wrong secret stored mid-job pauses the job
 * (Amazon refused the credentials); another valid credential stored then finishes it, and the
 * emulator counts its searches under that credential.
 */
const TOKEN = `c2a_test_${'7'.repeat(40)}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const LISTENING = /listening on (http:\/\/[^\s"]+)/;
/**
 * One lookup in flight per process, and the proxy holds the third search until the test has
 * stored the wrong secret and waited out `SETTINGS_CHECK_MS`: the rotation lands mid-job on any
 * machine, however loaded (a job left to run free at 4/s finished before it at load 34).
 */
const CODE_COUNT = 16;
const HOLD_AT = 3;
const TPS = '4';
/**
 * The rate stored with the second credential: the rest of the job goes at it (the stored rate
 * reaches the process as the credential does), instead of another 10 s at 4/s.
 */
const ROTATED_TPS = 25;

/** The emulator's creators credential `index` as a settings update (field keys, not variables). */
function storedCredential(emu: RunningEmulator, index: number): Record<string, string> {
  const env = emu.env('creators', index);
  const update: Record<string, string> = {};
  for (const f of AMAZON_SETTING_FIELDS) {
    const value = env[f.variable];
    if (value !== undefined && f.key.startsWith('creators_')) update[f.key] = value;
  }
  return update;
}

function searchesOf(emu: RunningEmulator, credentialId: string): number {
  return emu.stats().credentials[credentialId]?.operations.searchItems?.requests ?? 0;
}

/** "Eventually": a `map` child can take minutes to start on a loaded machine (see CLI_TIMEOUT_MS). */
async function waitFor<T>(what: string, check: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + CLI_TIMEOUT_MS;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Service {
  /** The test's own emulator: each test counts the searches of its own credentials. */
  emu: RunningEmulator;
  /** Between the processes and the emulator's Creators API: holds search number HOLD_AT. */
  proxy: ReleasableProxy;
  codes: string[];
  url: string;
  env: Record<string, string>;
  database: TestDatabase;
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startService(kind: TestDatabase['kind'], worker: string): Promise<Service> {
  const emu = await startTestEmulator({ tps: 50, burst: 5, count: 150 });
  const codes = (emu.catalog.truth ?? []).map((t) => t.code).slice(0, CODE_COUNT);
  const proxy = await startReleasableProxy(emu.url, '/catalog/v1/searchItems', HOLD_AT);
  const database = await createTestDatabase(kind);
  const env = {
    ...emu.env('creators', 0),
    AMAZON_CREATORS_API_URL: proxy.url,
    CODE2ASIN_WORKER_CONCURRENCY: '1',
    AMAZON_TPS: TPS,
    AMAZON_BURST: '1',
    DATABASE_URL: database.url,
    CODE2ASIN_SECRET_KEY: 'a1'.repeat(32),
    CODE2ASIN_ADMIN_TOKEN: TOKEN,
    CODE2ASIN_WORKER: worker,
  };
  const serve = await startCli(['serve', '--port', '0'], env, LISTENING).catch(
    async (error: unknown) => {
      await database.drop();
      await proxy.close();
      await emu.close();
      throw error;
    },
  );
  const url = serve.match[1] as string;
  return {
    emu,
    proxy,
    codes,
    url,
    env,
    database,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? AUTH : { ...AUTH, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    },
    async stop() {
      try {
        assert.equal(await stopChild(serve.child), 0, serve.output());
      } finally {
        await database.drop();
        await proxy.close();
        await emu.close();
      }
    },
  };
}

/**
 * Stores a wrong secret while the job is held mid-way (search HOLD_AT in flight), waits until
 * any later lookup must read the stored settings again, lets the job go on: it pauses on them.
 */
async function rotateToWrongSecretMidJob(
  service: Service,
  progress: () => Promise<{ status: string; done: number; error: string | null }>,
): Promise<void> {
  await service.proxy.held;
  await service.api('PUT', '/api/v1/amazon/config', {
    creators_credential_secret: 'rotated-but-wrong-secret',
  });
  await new Promise((r) => setTimeout(r, SETTINGS_CHECK_MS + 200));
  service.proxy.release();
  const paused = await waitFor('job paused on the stored secret', async () => {
    const p = await progress();
    return p.status === 'processing' ? null : p;
  });
  assert.equal(paused.status, 'paused', JSON.stringify(paused));
  assert.match(paused.error ?? '', /refused the credentials/);
  assert.ok(paused.done < CODE_COUNT, 'paused mid-job');
}

/** Stores the emulator's second credential, then waits until every process may have seen it. */
async function rotateToSecondCredential(service: Service): Promise<string> {
  const second = storedCredential(service.emu, 1);
  await service.api('PUT', '/api/v1/amazon/config', { ...second, tps: ROTATED_TPS });
  await new Promise((r) => setTimeout(r, SETTINGS_CHECK_MS + 200));
  return second.creators_credential_id as string;
}

async function runServedJob(service: Service): Promise<void> {
  const created = await service.api('POST', '/api/v1/code2asin/jobs', {
    name: 'rotation',
    codes: service.codes,
    marketplaces: ['fr'],
  });
  const id = created.id as string;
  const progress = async () => {
    const job = await service.api('GET', `/api/v1/code2asin/jobs/${id}`);
    const p = job.progress as { done: number };
    return {
      status: job.status as string,
      done: p.done,
      error: (job.error_message as string | null) ?? null,
    };
  };
  await rotateToWrongSecretMidJob(service, progress);
  const secondId = await rotateToSecondCredential(service);
  await service.api('POST', `/api/v1/code2asin/jobs/${id}/resume`);
  const ended = await waitFor('job completed', async () => {
    const p = await progress();
    return p.status === 'processing' ? null : p;
  });
  assert.equal(ended.status, 'completed', JSON.stringify(ended));
  assert.equal(ended.done, CODE_COUNT);
  assert.ok(searchesOf(service.emu, secondId) > 0, 'the second credential was used');
}

function spawnMap(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcessWithoutNullStreams; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [BIN, 'map', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
  return { child, done };
}

async function runMappedJob(service: Service): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-rotation-'));
  const database = openDatabase(service.database.url);
  try {
    const input = join(dir, 'codes.csv');
    writeFileSync(input, `code\n${service.codes.join('\n')}\n`);
    const args = [input, '-o', join(dir, 'out.csv'), '--marketplace', 'fr'];
    const first = spawnMap(args, service.env);
    const progress = async () => {
      const job = await database.db
        .selectFrom('code2asin_jobs')
        .select(['status', 'done_count', 'error_message'])
        .executeTakeFirst();
      return job
        ? { status: job.status, done: job.done_count, error: job.error_message }
        : { status: 'processing', done: 0, error: null };
    };
    await rotateToWrongSecretMidJob(service, progress);
    const res = await first.done;
    assert.equal(res.code, 2, res.out);

    const secondId = await rotateToSecondCredential(service);
    const again = await spawnMap(args, service.env).done;
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /Resuming job/);
    assert.equal((await progress()).done, CODE_COUNT);
    assert.ok(searchesOf(service.emu, secondId) > 0, 'the second credential was used');
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const kind of DATABASE_KINDS) {
  // The four set-ups are independent (each its own emulator, database and processes) and spend
  // most of their time waiting on the 4/s pace: run at once, the file takes the longest one's time.
  describe(
    `Amazon settings rotated through the API reach every process [${kind}]`,
    {
      concurrency: true,
    },
    () => {
      it('serve with its worker inline', async () => {
        const service = await startService(kind, 'inline');
        try {
          await runServedJob(service);
        } finally {
          await service.stop();
        }
      });

      it('serve with its worker child process', async () => {
        const service = await startService(kind, 'process');
        try {
          await runServedJob(service);
        } finally {
          await service.stop();
        }
      });

      it('code2asin worker beside serve', async () => {
        const service = await startService(kind, 'off');
        const worker = await startCli(['worker'], service.env, /worker \S+ started/);
        try {
          await runServedJob(service);
        } finally {
          assert.equal(await stopChild(worker.child), 0, worker.output());
          await service.stop();
        }
      });

      it('code2asin map', async () => {
        const service = await startService(kind, 'off');
        try {
          await runMappedJob(service);
        } finally {
          await service.stop();
        }
      });
    },
  );
}
