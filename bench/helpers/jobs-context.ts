import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJobLogWriter } from '../../src/jobs/job-log.js';
import { createLogger } from '../../src/logging/logger.js';

/** A migrated database at `url` and a jobs context on it, logging errors only. */
export async function openBenchJobs(
  url: string,
  quotaTps: number,
  options: { migrate?: boolean } = {},
): Promise<JobsContext> {
  const database = openDatabase(url);
  if (options.migrate !== false) await migrateToLatest(database);
  const logger = createLogger({ level: 'error' });
  return { database, logger, createJobLog: createJobLogWriter(database.db, logger), quotaTps };
}
