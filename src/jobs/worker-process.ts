import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logging/logger.js';

/** The `code2asin` entry point, from src/jobs/ or dist/jobs/ alike. */
const BIN = fileURLToPath(new URL('../../bin/code2asin.js', import.meta.url));

export interface WorkerProcessOptions {
  logger: Logger;
  /** The child's environment (default this process's): it reads its configuration from it. */
  env?: NodeJS.ProcessEnv;
  /** Extra `code2asin worker` arguments. */
  args?: string[];
  /** First restart delay after a crash, doubled up to `maxRestartDelayMs` (default 1 s, 30 s). */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long `close()` waits for held units to be handed back before SIGKILL (default 15 s). */
  stopTimeoutMs?: number;
}

export interface WorkerProcess {
  /** The running child's pid, null between a crash and its restart. */
  readonly pid: number | null;
  /** Times the child was started (1 + restarts). */
  readonly starts: number;
  /** Asks the child to stop (it hands its units back), SIGKILL after the timeout; idempotent. */
  close(): Promise<void>;
}

/** A child that ran this long before exiting is restarted after the first delay again. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * Runs `code2asin worker` as a supervised child of `serve`. The worker's request slots then live
 * on an event loop of their own: a busy API (synchronous SQLite queries of 100 clients) cannot
 * delay them (measured in bench/api-load.bench.ts). The child shares the database, so the
 * credential's quota is shared through `rate_limits`; it exits when this process disappears
 * (the IPC channel closes), and is restarted with backoff when it crashes.
 */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const { logger } = options;
  const firstDelay = options.restartDelayMs ?? 1000;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  let delay = firstDelay;
  let child: ChildProcess | null = null;
  let starts = 0;
  let closing: Promise<void> | null = null;
  let restartTimer: NodeJS.Timeout | null = null;

  const start = (): void => {
    const startedAt = Date.now();
    starts += 1;
    const c = spawn(process.execPath, [BIN, 'worker', '--supervised', ...(options.args ?? [])], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = c;
    c.on('error', (err) => logger.error({ err }, 'job worker process could not start'));
    c.once('exit', (code, signal) => {
      if (child === c) child = null;
      if (closing) return;
      if (Date.now() - startedAt >= HEALTHY_AFTER_MS) delay = firstDelay;
      logger.error(
        { code, signal, restartInMs: delay },
        'job worker process exited; restarting it (held units return to the queue when their lease ends)',
      );
      restartTimer = setTimeout(() => {
        restartTimer = null;
        if (!closing) start();
      }, delay);
      delay = Math.min(maxDelay, delay * 2);
    });
    logger.info({ pid: c.pid }, 'job worker process started');
  };

  start();
  return {
    get pid() {
      return child?.pid ?? null;
    },
    get starts() {
      return starts;
    },
    close() {
      closing ??= (async () => {
        if (restartTimer) clearTimeout(restartTimer);
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) =>
          c.once('exit', (code, signal) => {
            if (signal !== null && signal !== 'SIGKILL')
              logger.warn({ code, signal }, 'job worker process ended by a signal while stopping');
            resolve();
          }),
        );
        // Closing the channel is the child's stop request, answered whenever it arrives: before
        // its start-up it exits at once, during it once started (units handed back). A SIGTERM
        // sent before its handler is in place would end it by the signal instead.
        if (c.connected) c.disconnect();
        else c.kill('SIGTERM');
        const timeout = new Promise<'timeout'>((resolve) =>
          setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 15_000).unref(),
        );
        if ((await Promise.race([exited, timeout])) === 'timeout') {
          logger.warn('job worker process did not stop in time; killing it');
          c.kill('SIGKILL');
          await exited;
        }
      })();
      return closing;
    },
  };
}
