import {
  classifyDatabaseFault,
  describeDatabaseFault,
  type DatabaseFaultCode,
} from './db-fault.js';

/** A fault in progress, as /health and the logs tell it. */
export interface DatabaseFaultState {
  code: DatabaseFaultCode;
  since: string;
  /** The database's own words (`database or disk is full`, `connect ECONNREFUSED …`). */
  cause: string;
  message: string;
}

interface FaultLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * What a process knows of its database's health, from the statements it runs: the first failed
 * one of a fault logs one line, the first one that succeeds after it logs one line that it
 * cleared. A full disk is cleared by a write only (reads go on while the disk is full).
 */
export interface DatabaseFaultMonitor {
  current(): DatabaseFaultState | null;
  /** Records a failed statement; returns its fault, or null when it is not one. */
  failed(error: unknown): DatabaseFaultCode | null;
  /** Records a statement that succeeded. */
  succeeded(kind: 'read' | 'write'): void;
  /** Where the two log lines go (the process's logger, once it has one). */
  setLogger(logger: FaultLogger): void;
}

/**
 * A fault clears on a success this long after its last failure. On a full disk small writes that
 * fit in space SQLite holds already go through between failing larger ones: without this the log
 * said "fault" and "cleared" 20 times in 20 s (measured with `serve` on a full 12 MB volume).
 */
const CLEAR_AFTER_MS = 2_000;

export function createDatabaseFaultMonitor(now: () => number = Date.now): DatabaseFaultMonitor {
  let state: (DatabaseFaultState & { started: number; lastFailure: number }) | null = null;
  let logger: FaultLogger | null = null;
  return {
    current() {
      if (!state) return null;
      const { code, since, cause, message } = state;
      return { code, since, cause, message };
    },
    failed(error) {
      const code = classifyDatabaseFault(error);
      if (!code) return null;
      if (state?.code === code) {
        state.lastFailure = now();
        return code;
      }
      const cause = error instanceof Error ? error.message : String(error);
      state = {
        code,
        since: new Date(now()).toISOString(),
        started: now(),
        lastFailure: now(),
        cause,
        message: describeDatabaseFault(code),
      };
      logger?.warn(
        { fault: code, cause, sqlite_code: (error as { code?: unknown }).code },
        `database fault: ${code} (${cause}); answering 503 and holding the worker until it clears`,
      );
      return code;
    },
    succeeded(kind) {
      if (!state || (state.code === 'disk_full' && kind === 'read')) return;
      if (now() - state.lastFailure < CLEAR_AFTER_MS) return;
      logger?.info(
        { fault: state.code, lasted_ms: now() - state.started },
        `database fault cleared: ${state.code}`,
      );
      state = null;
    },
    setLogger(l) {
      logger = l;
    },
  };
}
