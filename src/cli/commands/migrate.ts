import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';

/** `code2asin migrate`: brings the database schema up to date and exits. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations to DATABASE_URL and exit')
    .action(async () => {
      const config = loadConfig();
      const { openDatabase } = await import('../../db/database.js');
      const { migrateToLatest } = await import('../../db/migrate.js');
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
