/** The signals that stop a long-running command: Ctrl-C, and a service manager's stop. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Where "SIGTERM received: shutting down" and a failed shutdown are logged. */
export interface StopLogger {
  info(msg: string): void;
  error(o: object, msg: string): void;
}

/** A started service: `stop` runs once, on the first stop signal. */
export interface RunningService {
  stop(): Promise<void>;
  logger?: StopLogger;
}

/** The reason `startupAbort` carries: a stop signal arrived while the command was starting. */
export class StoppedDuringStartup extends Error {
  readonly code = 'stopped_during_startup';
  constructor(readonly signal: StopSignal) {
    super(`${signal} received during start-up`);
  }
}

export interface StopSignals {
  /** The first stop signal received, null until one is. */
  readonly received: StopSignal | null;
  /**
   * Aborted by the first stop signal (reason: `StoppedDuringStartup`): start-up steps that wait
   * for something outside (the database, the demo's sample job) give up instead of making a
   * service manager wait for them before its stop is honoured.
   */
  readonly startupAbort: AbortSignal;
  /**
   * A stop requested from inside (serve's worker child when its parent is gone); nothing more
   * when a stop signal came already.
   */
  request(signal: StopSignal): void;
  /**
   * Runs `start`, then waits for a stop signal — one that came during start-up counts — and runs
   * the service's `stop` once. Start-up that failed because a signal aborted it resolves (a clean
   * stop); any other start-up error is thrown. The handlers are removed when this settles.
   */
  runService(start: () => Promise<RunningService>): Promise<void>;
  /** Removes the handlers: the default action (terminate) applies again. */
  release(): void;
}

export interface StopSignalOptions {
  /** Where the signals arrive (default `process`); unit tests emit on their own emitter. */
  source?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Ends the process at once on a second signal (default `process.exit`). */
  exit?: (code: number) => void;
  /** Called on the first signal (e.g. `map` says it is pausing). */
  onFirst?: (signal: StopSignal) => void;
}

/**
 * Catches SIGINT/SIGTERM from now on. Call it first thing in a long-running command: until a
 * process adds its first SIGTERM listener, the kernel's default action ends it, so a stop sent
 * during start-up (right after the command printed that it listens, as tests and service
 * managers do) killed it by the signal instead of shutting it down. A signal during start-up is
 * remembered and honoured as soon as start-up ends; a second signal exits at once (130).
 */
export function catchStopSignals(options: StopSignalOptions = {}): StopSignals {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const abort = new AbortController();
  let received: StopSignal | null = null;
  let wake: ((signal: StopSignal) => void) | null = null;

  const onSignal = (signal: StopSignal): void => {
    if (received !== null) return void exit(130);
    received = signal;
    options.onFirst?.(signal);
    abort.abort(new StoppedDuringStartup(signal));
    wake?.(signal);
  };
  const release = (): void => {
    for (const s of STOP_SIGNALS) source.off(s, onSignal);
  };
  for (const s of STOP_SIGNALS) source.on(s, onSignal);

  const stopWhenSignalled = async (service: RunningService) => {
    const early = received !== null;
    const signal = received ?? (await new Promise<StopSignal>((resolve) => (wake = resolve)));
    service.logger?.info(`${signal} received${early ? ' during start-up' : ''}: shutting down`);
    try {
      await service.stop();
    } catch (err) {
      service.logger?.error({ err }, 'shutdown failed');
    }
  };

  return {
    get received() {
      return received;
    },
    startupAbort: abort.signal,
    // Not a second signal when one came already: a terminal's Ctrl-C or a service manager's
    // SIGTERM reaches serve's worker child as well as serve, which then closes the channel.
    request: (signal) => void (received === null && onSignal(signal)),
    release,
    async runService(start) {
      try {
        let service: RunningService;
        try {
          service = await start();
        } catch (error) {
          if (isCausedBy(error, abort.signal.reason)) return;
          throw error;
        }
        await stopWhenSignalled(service);
      } finally {
        release();
      }
    },
  };
}

/** The error itself, or an error wrapping it (`timers/promises` and `fetch` wrap or rethrow). */
function isCausedBy(error: unknown, reason: unknown): boolean {
  if (reason === undefined) return false;
  for (let e = error, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e === reason) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/** `map`'s: Ctrl-C pauses the job (the result file says how far it got); a second quits at once. */
export function catchPauseSignals(): StopSignals {
  return catchStopSignals({
    onFirst: () => process.stderr.write('\nPausing… (Ctrl-C again to quit at once)\n'),
  });
}
