import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type DatabaseKind = 'sqlite' | 'postgres';
export const DATABASE_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  kind: DatabaseKind;
  /** DATABASE_URL of this fresh database. */
  url: string;
  /** Removes the database (drops it on PostgreSQL, deletes the folder on SQLite). */
  drop(): Promise<void>;
}

let serverUrl: Promise<string> | undefined;
let stopEmbedded: (() => Promise<void>) | undefined;

// A file run alone (no TEST_DATABASE_URL) may start an embedded server below: stop it when the
// file's tests are done, or its child process would keep this one alive.
after(async () => {
  await stopEmbedded?.();
});

/** The PostgreSQL server of this run: TEST_DATABASE_URL, or an embedded one started here. */
function postgresServerUrl(): Promise<string> {
  serverUrl ??= (async () => {
    const fromEnv = process.env.TEST_DATABASE_URL;
    if (fromEnv) return fromEnv;
    // Only when a test file runs alone; `npm test` starts one server for the whole run.
    // @ts-expect-error plain ESM helper without types
    const { startEmbeddedPostgres } = await import('../../scripts/embedded-postgres.mjs');
    const server = (await startEmbeddedPostgres()) as { url: string; stop(): Promise<void> };
    stopEmbedded = () => server.stop();
    return server.url;
  })();
  return serverUrl;
}

/** Creates a fresh, empty database of the given kind (not migrated). */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const name = `c2a_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-sqlite-'));
    return {
      kind,
      url: `sqlite:${join(dir, `${name}.db`)}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = await postgresServerUrl();
  await adminQuery(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: () => adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface DatabaseContext {
  kind: DatabaseKind;
  /** The migrated database of this suite (valid inside tests). */
  database(): Database;
  url(): string;
}

/**
 * Runs `body` once per dialect, each in its own suite with a fresh migrated database that is
 * closed and dropped afterwards. The suite name carries the dialect, so the output shows both.
 */
export function forEachDatabase(
  name: string,
  body: (ctx: DatabaseContext) => void,
  options: { migrate?: boolean } = {},
): void {
  for (const kind of DATABASE_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let test: TestDatabase | undefined;
      let database: Database | undefined;
      before(async () => {
        test = await createTestDatabase(kind);
        database = openDatabase(test.url);
        if (options.migrate !== false) await migrateToLatest(database);
      });
      after(async () => {
        await database?.close();
        await test?.drop();
      });
      body({
        kind,
        database: () => {
          if (!database) throw new Error('database used outside a test');
          return database;
        },
        url: () => {
          if (!test) throw new Error('database used outside a test');
          return test.url;
        },
      });
    });
  }
}
