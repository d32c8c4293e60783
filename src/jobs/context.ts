import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { CreateJobLog } from './job-log.js';
import type { Job } from './jobs-repository.js';

/** What the jobs module needs from the process: database, logs and the end-of-job hook. */
export interface JobsContext {
  database: Database;
  logger: Logger;
  createJobLog: CreateJobLog;
  /** Called once when a job enters completed, failed or cancelled. Must not throw. */
  onJobEnded?: (job: Job) => Promise<void>;
  /** Requests per second of the quota, for ETAs. */
  quotaTps: number;
}
