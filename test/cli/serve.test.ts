import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.js';
import { CLI_TIMEOUT_MS, runCli, startCli, stopChild } from '../helpers/cli.js';
import { startTestEmulator } from '../helpers/jobs.js';

/** Pids of the direct children of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number),
  );
}

/** Running (an exited child nobody reaped yet is a zombie: `Z`, not alive). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitFor<T>(
  check: () => T | null | Promise<T | null>,
  what: string,
  timeoutMs = CLI_TIMEOUT_MS,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const LISTENING = /listening on (http:\/\/[^\s"]+)/;

// Independent commands (each its own folder, database and emulator), each mostly waiting for its
// child to start: run at once, the file takes about its longest test's time.
describe('code2asin command line', { concurrency: true }, () => {
  it('--help lists the commands and --version prints the version', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /serve/);
    assert.match(help.stdout, /migrate/);
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  it('refuses to start on a bad variable, naming it and what is expected', async () => {
    const res = await runCli(['serve'], {
      CODE2ASIN_PORT: 'http',
      DATABASE_URL: 'sqlite::memory:',
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /CODE2ASIN_PORT: "http" is .*expected a port number/);
  });

  it('serve answers /health on SQLite with no Amazon settings, generates the secret key, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-serve-'));
    try {
      const { child, match, output } = await startCli(
        ['serve', '--port', '0'],
        { DATABASE_URL: `sqlite:${join(dir, 'c2a.db')}`, CODE2ASIN_SECRET_KEY: '' },
        LISTENING,
      );
      const res = await fetch(`${match[1]}/health`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { status: string; db: string; version: string };
      assert.equal(body.status, 'ok');
      assert.equal(body.db, 'sqlite');
      assert.match(body.version, /^\d+\.\d+\.\d+/);
      const key = statSync(join(dir, 'secret.key'));
      assert.equal(key.mode & 0o777, 0o600);
      assert.match(output(), /generated a new secret key in .*secret\.key/);
      assert.equal(await stopChild(child), 0);
      assert.match(output(), /SIGTERM received: shutting down/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve answers /health on PostgreSQL', async () => {
    const fresh = await createTestDatabase('postgres');
    const keyDir = mkdtempSync(join(tmpdir(), 'c2a-serve-'));
    try {
      const { child, match } = await startCli(
        ['serve', '--port', '0'],
        { DATABASE_URL: fresh.url, CODE2ASIN_SECRET_KEY: 'ab'.repeat(32) },
        LISTENING,
      );
      const body = (await (await fetch(`${match[1]}/health`)).json()) as { db: string };
      assert.equal(body.db, 'postgres');
      assert.equal(await stopChild(child, 'SIGINT'), 0);
    } finally {
      await fresh.drop();
      rmSync(keyDir, { recursive: true, force: true });
    }
  });

  it('serve runs its job worker as a child process: a job completes, SIGTERM stops both, a killed serve takes its worker along', async () => {
    const emu = await startTestEmulator({ tps: 20, burst: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'c2a-serve-'));
    const token = `c2a_test_${'5'.repeat(40)}`;
    const env = {
      ...emu.env('creators'),
      AMAZON_TPS: '20',
      AMAZON_BURST: '5',
      DATABASE_URL: `sqlite:${join(dir, 'c2a.db')}`,
      CODE2ASIN_SECRET_KEY: 'ef'.repeat(32),
      CODE2ASIN_ADMIN_TOKEN: token,
    };
    const codes = (emu.catalog.truth ?? []).slice(0, 6).map((t) => t.code);
    try {
      const { child, match } = await startCli(['serve', '--port', '0'], env, LISTENING);
      const serve = child.pid as number;
      const [worker] = await waitFor(() => {
        const kids = childrenOf(serve);
        return kids.length > 0 ? kids : null;
      }, 'worker child');
      assert.ok(worker && alive(worker));
      const auth = { authorization: `Bearer ${token}` };
      const created = await fetch(`${match[1]}/api/v1/code2asin/jobs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'child worker', codes, marketplaces: ['fr'] }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const { id } = (await created.json()) as { id: string };
      const job = await waitFor(async () => {
        const res = await fetch(`${match[1]}/api/v1/code2asin/jobs/${id}`, { headers: auth });
        const body = (await res.json()) as { status: string; progress: { done: number } };
        return body.status === 'completed' ? body : null;
      }, 'job completed');
      assert.equal(job.progress.done, codes.length);
      assert.equal(await stopChild(child), 0);
      assert.equal(alive(worker), false, 'the worker stops with serve');

      // serve killed outright: its worker notices (IPC channel closed) and stops by itself.
      const again = await startCli(['serve', '--port', '0'], env, LISTENING);
      const [orphan] = await waitFor(() => {
        const kids = childrenOf(again.child.pid as number);
        return kids.length > 0 ? kids : null;
      }, 'worker child');
      assert.ok(orphan);
      await stopChild(again.child, 'SIGKILL');
      await waitFor(() => !alive(orphan), 'worker gone after serve was killed').catch(
        (e: unknown) => {
          let stat = '';
          try {
            stat = readFileSync(`/proc/${orphan}/stat`, 'utf8');
          } catch {
            stat = 'no stat';
          }
          throw new Error(`${String(e)}\n${stat}\n${again.output()}`);
        },
      );
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
