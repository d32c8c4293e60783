import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { listTokens, verifyToken } from '../../src/http/auth/token-repository.js';
import { runCli, startCli, stopChild } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';

const TOKEN = /^(c2a_[A-Za-z0-9_-]{43})$/m;

forEachDatabase('code2asin tokens', (ctx) => {
  it("--owner shares an existing owner's jobs; --admin makes an admin token; --quiet prints it alone", async () => {
    const env = { DATABASE_URL: ctx.url() };
    // The admin token is independent of the team's two: made while they are.
    const adminRun = runCli(['tokens', 'create', '--admin', '--quiet'], env);
    const first = await runCli(
      ['tokens', 'create', '--name', 'team', '--scopes', 'read,write'],
      env,
    );
    assert.match(first.stdout, /Owner "team" is new/);
    const shared = await runCli(
      ['tokens', 'create', '--owner', 'team', '--name', 'bob', '--scopes', 'read,write'],
      env,
    );
    assert.match(shared.stdout, /shares owner "team"'s jobs with 1 other token/);
    const bob = await verifyToken(ctx.database().db, TOKEN.exec(shared.stdout)?.[1] ?? '');
    assert.equal(bob?.owner, 'team');
    const admin = await adminRun;
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(admin.stdout, /^c2a_[A-Za-z0-9_-]{43}\n$/);
    const grant = await verifyToken(ctx.database().db, admin.stdout.trim());
    assert.deepEqual(
      { owner: grant?.owner, scopes: grant?.scopes },
      { owner: 'admin', scopes: ['admin'] },
    );
  });

  it('create prints the token once; list never shows it; revoke stops it', async () => {
    const env = { DATABASE_URL: ctx.url() };
    const created = await runCli(
      ['tokens', 'create', '--name', 'ci', '--scopes', 'read,write', '--owner', 'alice'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const token = TOKEN.exec(created.stdout)?.[1] ?? '';
    assert.ok(token, created.stdout);
    assert.match(created.stdout, /not shown again/);
    const grant = await verifyToken(ctx.database().db, token);
    assert.deepEqual(
      { owner: grant?.owner, scopes: grant?.scopes },
      { owner: 'alice', scopes: ['read', 'write'] },
    );

    const list = await runCli(['tokens', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(grant?.tokenId ?? 'missing'));
    assert.match(list.stdout, /alice\s+read,write/);
    assert.ok(!list.stdout.includes(token), 'the token is never listed');
    const json = await runCli(['tokens', 'list', '--owner', 'alice', '--json'], env);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { name: string }[]).map((t) => t.name),
      ['ci'],
    );

    const revoked = await runCli(['tokens', 'revoke', grant?.tokenId ?? ''], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(await verifyToken(ctx.database().db, token), null);
    const again = await runCli(['tokens', 'revoke', grant?.tokenId ?? ''], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No active token .*tokens list/);
  });

  it('refuses unknown scopes and defaults the owner to the name', async () => {
    const env = { DATABASE_URL: ctx.url() };
    const [bad, json] = await Promise.all([
      runCli(['tokens', 'create', '--name', 'x', '--scopes', 'read,root'], env),
      runCli(['tokens', 'create', '--name', 'bob', '--json'], env),
    ]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /Unknown scope\(s\) root: use a comma-separated list of read, write, delete, admin/,
    );
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { owner: string; scopes: string[]; token: string };
    assert.deepEqual([body.owner, body.scopes], ['bob', ['read']]);
    const stored = await listTokens(ctx.database().db, { owner: 'bob' });
    assert.equal(stored.length, 1);
  });
});

it('serve prints an admin token on the first start only, and the API accepts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'c2a-admin-'));
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'c2a.db')}`,
    CODE2ASIN_SECRET_KEY: 'cd'.repeat(32),
  };
  try {
    const first = await startCli(['serve', '--port', '0'], env, /listening on (http:\/\/[^\s"]+)/);
    const output = first.output();
    const token = /Token\s+(c2a_[A-Za-z0-9_-]{43})/.exec(output)?.[1] ?? '';
    assert.ok(token, output);
    assert.equal(output.split(token).length, 2, 'printed exactly once, never logged');
    const url = first.match[1];
    const ok = await fetch(`${url}/api/v1/amazon/config`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ok.status, 200);
    assert.ok(ok.headers.get('x-request-id'));
    const denied = await fetch(`${url}/api/v1/amazon/config`);
    assert.equal(denied.status, 401);
    assert.equal(await stopChild(first.child), 0);

    const second = await startCli(['serve', '--port', '0'], env, /listening on (http:\/\/[^\s"]+)/);
    // Shown once; every later start still says how to get one (issue #21, observation 2).
    assert.doesNotMatch(second.output(), /c2a_/);
    assert.match(second.output(), /npx code2asin tokens create --admin/);
    // Stopped right after its "listening" line: it ended by the signal there in two CI runs of
    // three while serve added its SIGTERM handler only after printing the line (issue #18); the
    // handlers are now in place before anything is printed (test/cli/stop-during-startup.test.ts).
    const code = await stopChild(second.child);
    // If it ends by a signal again (null), say which, and what it printed.
    assert.equal(code, 0, `ended by ${second.child.signalCode}:\n${second.output()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
