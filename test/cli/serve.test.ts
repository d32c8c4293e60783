import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.js';
import { runCli, startCli, stopChild } from '../helpers/cli.js';

const LISTENING = /listening on (http:\/\/[^\s"]+)/;

describe('code2asin command line', () => {
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
});
