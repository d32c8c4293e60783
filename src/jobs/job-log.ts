import type { Insertable, Kysely } from 'kysely';
import type { Logger } from '../logging/logger.js';
import { nowIso, toJson } from '../db/dialect.js';
import type { DB, LogsTable } from '../db/schema.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type JobLogLevel = (typeof LOG_LEVELS)[number];

export type CreateJobLog = (
  jobId: string | null,
  level: JobLogLevel,
  message: string,
  details?: Record<string, unknown> | null,
) => Promise<void>;

/** One `code2asin_logs` row, for a caller that writes it in its own transaction. */
export function jobLogRow(
  jobId: string | null,
  level: JobLogLevel,
  message: string,
  details: Record<string, unknown> | null = null,
): Insertable<LogsTable> {
  return {
    job_id: jobId,
    level,
    message,
    details: details === null ? null : toJson(details),
    created_at: nowIso(),
  };
}

const CONSOLE_LEVEL = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error' } as const;

/**
 * The original system's `createJobLog(jobId, level, message, details)`, bound to a database and a
 * console logger. It writes to `code2asin_logs` and never throws: when the write fails, the
 * entry and the error go to the console logger and the caller carries on.
 */
export function createJobLogWriter(db: Kysely<DB>, logger: Logger): CreateJobLog {
  return async (jobId, level, message, details = null) => {
    try {
      await db
        .insertInto('code2asin_logs')
        .values(jobLogRow(jobId, level, message, details))
        .execute();
    } catch (error) {
      try {
        logger[CONSOLE_LEVEL[level] ?? 'info'](
          { jobId, details, err: error },
          `job log write failed; entry kept here: ${message}`,
        );
      } catch {
        // A broken logger must not break the caller either.
      }
    }
  };
}
