import { AmazonError } from '../amazon/errors.js';
import { classifyDatabaseFault, type DatabaseFaultCode } from '../db/db-fault.js';
import type { Logger } from '../logging/logger.js';

/** First wait after a database fault, doubled while it lasts, up to the longest. */
const FIRST_WAIT_MS = 250;
const LONGEST_WAIT_MS = 2_000;

/**
 * How the worker rides out a database fault (a full disk, a restarting PostgreSQL): it stops
 * claiming, waits (250 ms doubling up to 2 s, so it resumes within 2 s of the database coming
 * back), and tries again; it never exits and never counts a fault as a unit's failed attempt.
 * One log line when it starts holding, one when it resumes.
 */
export interface DatabaseFaultBackoff {
  /** Whether `error` is a database fault; if so the worker holds (and it is logged once). */
  failed(error: unknown): boolean;
  /** A claim went through: the hold ends. */
  succeeded(): void;
  /** Milliseconds to wait before the next claim (0: claim now). */
  waitMs(now?: number): number;
  /** Logs `error` as a warning unless it is a database fault (already told once). */
  warnUnlessFault(error: unknown, message: string): void;
}

/** The fault behind a worker error: the database's own, or the shared limiter's table's. */
export function workerFaultOf(error: unknown): DatabaseFaultCode | null {
  if (error instanceof AmazonError)
    return error.reason === 'RateLimitStoreUnavailable' ? classifyDatabaseFault(error.cause) : null;
  return classifyDatabaseFault(error);
}

export function createDatabaseFaultBackoff(
  logger: Logger,
  clock: () => number = Date.now,
): DatabaseFaultBackoff {
  let fault: { code: DatabaseFaultCode; since: number; failures: number } | null = null;
  let resumeAt = 0;
  return {
    failed(error) {
      const code = workerFaultOf(error);
      if (!code) return false;
      if (!fault) {
        fault = { code, since: clock(), failures: 0 };
        logger.warn(
          { fault: code },
          `worker holding: the database cannot be ${code === 'disk_full' ? 'written (disk full)' : 'reached'}; claiming stops and resumes by itself once it can`,
        );
      }
      fault.failures += 1;
      const wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (fault.failures - 1));
      resumeAt = Math.max(resumeAt, clock() + wait);
      return true;
    },
    succeeded() {
      if (!fault) return;
      logger.info(
        { fault: fault.code, held_ms: clock() - fault.since },
        'worker resumed: the database answers again',
      );
      fault = null;
      resumeAt = 0;
    },
    waitMs(now = clock()) {
      return Math.max(0, resumeAt - now);
    },
    warnUnlessFault(error, message) {
      if (!this.failed(error)) logger.warn({ err: error }, message);
    },
  };
}
