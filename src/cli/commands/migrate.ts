import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';

/** `code2asin migrate`: brings the database schema up to date and exits. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations to DATABASE_URL and exit')
    .action(async () => {
      const config = loadConfig();
      const database = openDatabase(config.databaseUrl);
      try {
        const report = await migrateToLatest(database);
        const applied = report.applied.length > 0 ? report.applied.join(', ') : 'none (up to date)';
        process.stdout.write(
          `Database ${database.kind}: ${report.total} migrations known, applied now: ${applied}\n`,
        );
      } finally {
        await database.close();
      }
    });
}
