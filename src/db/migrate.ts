import { Migrator, type MigrationResultSet } from 'kysely';
import type { Database } from './database.js';
import { createMigrations } from './migrations/index.js';

export interface MigrationReport {
  applied: string[];
  total: number;
}

/**
 * Brings the schema up to date. Each migration runs in a transaction; on PostgreSQL Kysely holds
 * an advisory lock for the whole run, so two processes migrating at once apply each migration once.
 */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  const migrations = createMigrations(database.dialect);
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'code2asin_migrations',
    migrationLockTableName: 'code2asin_migrations_lock',
    // Numbers are handed out to parallel work before it lands (0013 and 0014 landed before 0011):
    // a database already past a later number still gets the earlier one, instead of refusing to
    // start.
    allowUnorderedMigrations: true,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const what = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new Error(`Database ${what} failed: ${errorMessage(result.error)}`, {
      cause: result.error,
    });
  }
  return {
    applied: (result.results ?? [])
      .filter((r) => r.status === 'Success')
      .map((r) => r.migrationName),
    total: Object.keys(migrations).length,
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
