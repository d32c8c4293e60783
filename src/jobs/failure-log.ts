import { classifyDatabaseFault } from '../db/db-fault.js';
import type { Logger } from '../logging/logger.js';

/** At most one line per kind of failure in this span; the next line counts the ones left out. */
export const FAILURE_LOG_EVERY_MS = 60_000;

/**
 * The worker's failures that change nothing but need to be seen: a release after a database fault
 * (the units come back when their lease ends), a heartbeat (retried at the next beat), a route's
 * batching that could not be read (the lanes take the default count). During a database outage
 * they fail every beat or every request; one line per kind per minute says so without flooding the
 * log, and the next line says how many were left out.
 */
export interface FailureLog {
  /**
   * Logs `error` as a warning under `kind` (a stable name: `release`, `heartbeat`, …) with
   * `context` (ids, counts: never a secret), unless a line of that kind was written less than
   * {@link FAILURE_LOG_EVERY_MS} ago.
   */
  failed(kind: string, message: string, error: unknown, context: Record<string, unknown>): void;
}

export function createFailureLog(
  logger: Logger,
  options: { everyMs?: number; now?: () => number } = {},
): FailureLog {
  const everyMs = options.everyMs ?? FAILURE_LOG_EVERY_MS;
  const now = options.now ?? Date.now;
  const last = new Map<string, { at: number; leftOut: number }>();
  return {
    failed(kind, message, error, context) {
      const at = now();
      const seen = last.get(kind);
      if (seen && at - seen.at < everyMs) {
        seen.leftOut += 1;
        return;
      }
      last.set(kind, { at, leftOut: 0 });
      logger.warn(
        {
          ...context,
          failure: kind,
          error_code: errorCodeOf(error),
          error: error instanceof Error ? error.message : String(error),
          // Failures of this kind since the last line that were not logged.
          left_out: seen?.leftOut ?? 0,
        },
        message,
      );
    },
  };
}

/**
 * What failed, as a code: the database fault (`disk_full`, `database_unavailable`), else the
 * error's own code (a driver's `SQLITE_…`, a SQLSTATE, `ECONNREFUSED`), else its class name.
 */
export function errorCodeOf(error: unknown): string {
  const fault = classifyDatabaseFault(error);
  if (fault) return fault;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : error.name;
  }
  return 'unknown';
}
