/**
 * Fresh databases for a benchmark, by kind: a SQLite file in a temporary folder, or a new
 * database on one PostgreSQL server (TEST_DATABASE_URL, or an embedded one started here, as the
 * tests do). Each fresh database is dropped after its case, so that its autovacuum or checkpoint
 * does not run during the next one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type BenchDatabaseKind = 'sqlite' | 'postgres';

export interface FreshDatabase {
  /** DATABASE_URL of the new, empty database (the service migrates it at start). */
  url: string;
  drop(): Promise<void>;
}

export interface BenchDatabases {
  kind: BenchDatabaseKind;
  /** How the server was provided, for the report ("embedded PostgreSQL 17.2", "SQLite"). */
  label: string;
  fresh(): Promise<FreshDatabase>;
  stop(): Promise<void>;
}

/** Reads BENCH_DATABASE (sqlite, the default, or postgres); anything else stops the bench. */
export function benchDatabaseKind(value = process.env.BENCH_DATABASE): BenchDatabaseKind {
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`BENCH_DATABASE=${value}: use sqlite or postgres`);
}

export async function openBenchDatabases(kind: BenchDatabaseKind): Promise<BenchDatabases> {
  if (kind === 'sqlite') {
    return {
      kind,
      label: 'SQLite',
      fresh: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'c2a-bench-db-'));
        return {
          url: `sqlite:${join(dir, 'bench.db')}`,
          drop: async () => rmSync(dir, { recursive: true, force: true }),
        };
      },
      stop: async () => {},
    };
  }
  const fromEnv = process.env.TEST_DATABASE_URL;
  const { startEmbeddedPostgres } = (await import(
    '../../scripts/embedded-postgres.mjs' as string
  )) as { startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }> };
  const embedded = fromEnv ? null : await startEmbeddedPostgres();
  const server = fromEnv ?? embedded!.url;
  const version = await adminQuery(server, 'show server_version');
  return {
    kind,
    label: `PostgreSQL ${String(version[0]?.server_version ?? '?')} (${embedded ? 'embedded-postgres, fsync off' : 'TEST_DATABASE_URL'})`,
    fresh: async () => {
      const name = `c2a_bench_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      await adminQuery(server, `CREATE DATABASE ${name}`);
      const url = new URL(server);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: async () => {
          await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        },
      };
    },
    stop: async () => {
      await embedded?.stop();
    },
  };
}

async function adminQuery(server: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
