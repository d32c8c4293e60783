import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { startCli, stopChild } from '../helpers/cli.js';
import { startReleasableProxy, type ReleasableProxy } from '../helpers/releasable-proxy.js';
import { startTestEmulator } from '../helpers/jobs.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small-volume.js';
import { workerChildrenOf } from '../helpers/worker-children.js';

/** "Eventually": generous, the machine may be loaded (serve compiles through tsx at start). */
const EVENTUALLY_MS = 300_000;
const LISTENING = /listening on (http:\/\/[^\s"]+)/;
const TOKEN = `c2a_test_${'8'.repeat(40)}`;
/**
 * At 5 requests/s (one code each) the job lasts at least 30 s; the proxy also holds the last
 * search until the disk is freed, so the job cannot end while it is full, however loaded.
 */
const CODES = 150;
/** The log line of a worker meeting the full disk in its loop (db-fault-backoff.ts). */
const WORKER_HOLDING = /worker holding: the database cannot be written \(disk full\)/;

async function eventually<T>(what: string, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + EVENTUALLY_MS;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

interface JobBody {
  status: string;
  counters: { done: number; errors: number };
}

/** A 5xx other than 503 (or 507 for an upload), with what it said: the test fails on any. */
function unexpected(answers: readonly Answer[]): string[] {
  return answers
    .filter((a) => a.status >= 500 && a.status !== 503 && a.status !== 507)
    .map((a) => `${a.status} ${JSON.stringify(a.body)}`);
}

/**
 * Issue 24's first fault as it was met: `serve` (its worker as a supervised child, or inline) on
 * SQLite, the disk filled mid-job and freed. The worker child is the path that crashed in a
 * loop and never recovered; inline is the same code in serve's own process and handle.
 */
for (const mode of ['process', 'inline'] as const) {
  describe(`SQLite volume full mid-job under \`serve\` with its worker ${mode === 'process' ? 'child' : 'inline'} [sqlite]`, () => {
    let volume: SmallVolume;
    let emu: RunningEmulator;
    let proxy: ReleasableProxy;
    let dir: string;
    const answers: Answer[] = [];

    before(async () => {
      volume = mountSmallVolume(12);
      emu = await startTestEmulator({ tps: 20, burst: 5, count: CODES * 2 });
      proxy = await startReleasableProxy(emu.url, '/catalog/v1/searchItems', CODES);
      dir = mkdtempSync(join(tmpdir(), 'c2a-full-disk-serve-'));
    });
    after(async () => {
      await proxy?.close();
      await emu?.close();
      volume?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('keeps answering (never 500), the worker holds without failing codes, and once freed the job completes with one result per code, same processes', async () => {
      const databaseFile = join(volume.dir, 'c2a.db');
      const env = {
        ...emu.env('creators'),
        AMAZON_CREATORS_API_URL: proxy.url,
        AMAZON_TPS: '5',
        AMAZON_BURST: '2',
        DATABASE_URL: `sqlite:${databaseFile}`,
        CODE2ASIN_WORKER: mode,
        // The guard that stops claiming before a disk is full is off: what is tested here is
        // the full disk itself meeting the worker's writes (low-disk.test.ts tests the guard).
        CODE2ASIN_MIN_FREE_DISK_MB: '0',
        CODE2ASIN_SECRET_KEY: 'ef'.repeat(32),
        CODE2ASIN_ADMIN_TOKEN: TOKEN,
        CODE2ASIN_IMAGE_DIR: join(dir, 'images'),
      };
      const serve = await startCli(['serve', '--port', '0'], env, LISTENING);
      const servePid = serve.child.pid as number;
      let jobId = '';
      try {
        const base = serve.match[1] as string;
        const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
          const res = await fetch(`${base}${path}`, {
            ...init,
            headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
          });
          const answer = {
            status: res.status,
            headers: res.headers,
            body: (await res.json()) as Record<string, unknown>,
          };
          answers.push(answer);
          return answer;
        };
        const worker =
          mode === 'process'
            ? await eventually('the worker child started', async () => {
                const [pid] = workerChildrenOf(servePid);
                return pid ?? null;
              })
            : null;
        const codes = [...new Set((emu.catalog.truth ?? []).map((t) => t.code))].slice(0, CODES);
        assert.equal(codes.length, CODES);
        const created = await call('/api/v1/code2asin/jobs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'through a full disk', codes, marketplaces: ['fr'] }),
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const id = created.body.id as string;
        jobId = id;
        const job = async () => {
          const res = await call(`/api/v1/code2asin/jobs/${id}`);
          return { ...res, job: res.body as unknown as JobBody };
        };

        const started = await eventually('some codes done', async () => {
          const res = await job();
          return res.status === 200 && res.job.counters.done >= 10 ? res.job : null;
        });
        assert.ok(started.counters.done < CODES, 'still running when the disk fills');

        emptyWal(databaseFile);
        volume.fill();
        try {
          await checkWhileFull(base, call, id, () => serve.output());
        } finally {
          volume.free();
          proxy.release();
        }

        const done = await eventually('the job completed', async () => {
          const res = await job();
          return res.status === 200 &&
            ['completed', 'failed', 'cancelled', 'paused'].includes(res.job.status)
            ? res.job
            : null;
        });
        assert.equal(done.status, 'completed');
        assert.equal(done.counters.done, CODES);
        assert.equal(done.counters.errors, 0, 'no code failed because of the full disk');
        await eventually('/health ok again', async () => {
          const res = await fetch(`${base}/health`);
          await res.body?.cancel();
          return res.status === 200 ? true : null;
        });

        assert.equal(serve.child.exitCode, null, 'serve was never restarted');
        assert.deepEqual(
          workerChildrenOf(servePid),
          worker === null ? [] : [worker],
          mode === 'process' ? 'the same worker child' : 'no worker child',
        );
        assert.deepEqual(unexpected(answers), [], 'no answer was a 500');
        const output = serve.output();
        assert.doesNotMatch(output, /job worker process exited/);
        assert.doesNotMatch(output, /"msg":"request failed"/);
        assert.doesNotMatch(output, /"msg":"worker lane error"/);
      } finally {
        assert.equal(await stopChild(serve.child), 0, serve.output().slice(-4000));
      }
      await assertEveryCodeResolvedOnce(databaseFile, jobId, CODES);
    });
  });
}

/**
 * Truncates the database's write-ahead log to nothing, just before the volume is filled: SQLite
 * rewinds a checkpointed log and writes over the space it already has, so a log left long could
 * take the rest of the job's writes on a full disk without meeting the fault. Empty, the next
 * write needs new space, as a database meeting a full disk in the field does.
 */
function emptyWal(file: string): void {
  const db = new BetterSqlite3(file, { timeout: 10_000 });
  try {
    for (let attempt = 0; ; attempt++) {
      const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (row?.busy === 0) return;
      assert.ok(attempt < 30, 'the write-ahead log could not be truncated (readers kept it)');
    }
  } finally {
    db.close();
  }
}

/**
 * While the disk is full: reads are served (200), an upload is refused with 507 `disk_full`,
 * `/health` says `disk_full`, the worker meets the fault and holds, and no code fails.
 */
async function checkWhileFull(
  base: string,
  call: (path: string, init?: RequestInit) => Promise<Answer>,
  id: string,
  output: () => string,
): Promise<void> {
  const refused = await eventually('an upload refused for the full disk', async () => {
    const res = await call('/api/v1/code2asin/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'while full', codes: ['4006381333931'], marketplaces: ['fr'] }),
    });
    assert.ok([503, 507].includes(res.status), `an upload while full: ${res.status}`);
    return res.status === 507 ? res : null;
  });
  const error = refused.body.error as { code: string; message: string };
  assert.equal(error.code, 'disk_full');
  assert.match(error.message, /free space/);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);

  const health = await eventually('/health says disk_full', async () => {
    const res = await fetch(`${base}/health`);
    const body = (await res.json()) as { status: string; reason?: string };
    return res.status === 503 && body.reason === 'disk_full' ? body : null;
  });
  assert.equal(health.status, 'degraded');

  // The worker meets the full disk storing a result (or taking a request slot): it says so once
  // and holds. Meanwhile every read of the job is served.
  await eventually('the worker holding for the full disk', async () => {
    const res = await call(`/api/v1/code2asin/jobs/${id}`);
    assert.equal(res.status, 200, `a read is served while the disk is full: ${res.status}`);
    const job = res.body as unknown as JobBody;
    assert.equal(job.status, 'processing', 'the job is not ended by the fault');
    assert.equal(job.counters.errors, 0, 'no code failed because of the full disk');
    return WORKER_HOLDING.test(output()) ? true : null;
  });
  const results = await call(`/api/v1/code2asin/jobs/${id}/results`);
  assert.equal(results.status, 200, 'the results are listed while the disk is full');
}

/** One result per code, none open or failed, and the file intact. */
async function assertEveryCodeResolvedOnce(
  file: string,
  jobId: string,
  count: number,
): Promise<void> {
  const database = openDatabase(`sqlite:${file}`);
  try {
    const rows = await database.db
      .selectFrom('code2asin_results')
      .select(['code', 'status'])
      .where('job_id', '=', jobId)
      .execute();
    assert.equal(rows.length, count);
    assert.equal(new Set(rows.map((r) => r.code)).size, count, 'one result per code');
    assert.deepEqual(
      rows.filter((r) => ['pending', 'claimed', 'error'].includes(r.status)),
      [],
      'no unit left open or failed',
    );
    const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(
      database.db,
    );
    assert.equal(check.rows[0]?.integrity_check, 'ok');
  } finally {
    await database.close();
  }
}
