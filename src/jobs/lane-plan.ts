/** Most lanes automatic concurrency gives one worker (CODE2ASIN_WORKER_CONCURRENCY goes to 256). */
export const MAX_AUTO_LANES = 64;
/** How often the automatic lane count is re-derived (rate, answer time, live workers). */
const REFRESH_MS = 2_000;

/** What a worker's lanes are sized by. */
export interface LanePace {
  /** The credential's configured rate (effective settings: stored, else environment). */
  requestsPerSecond: number;
  /** Processes sharing that rate now, this one counted (≥ 1). */
  sharers: number;
  /** Median answer time lately; absent before the first answer. */
  latencyMs?: number;
}

/**
 * Lanes for this process's share of a credential: a second's worth of the share's requests, or
 * twice the requests in flight during one answer (plus 100 ms to store it) when answers take
 * longer, plus 2 so a lane waits at each slot. Alone at 20/s with 200 ms answers: 22 lanes, as
 * before (the single-process path is unchanged); one of 16 workers: 4. More lanes than that only
 * wait in the limiter's queue, but their claims hold units other workers could send (issue 23).
 */
export function lanesFor(pace: LanePace): number {
  const share = pace.requestsPerSecond / Math.max(1, Math.floor(pace.sharers));
  const cycleMs = Math.max(1000, 2 * ((pace.latencyMs ?? 0) + 100));
  return Math.min(MAX_AUTO_LANES, Math.max(2, Math.ceil((share * cycleMs) / 1000) + 2));
}

export interface LaneSizer {
  /** Lanes that may take work now. */
  readonly lanes: number;
  /** Lane loops to start: lanes past `lanes` wait in `admit`. */
  readonly max: number;
  /** Resolves when lane `index` may take work, or when `stop` aborts. */
  admit(index: number, stop: AbortSignal): Promise<void>;
  start(): void;
  stop(): void;
}

export interface LaneSizerOptions {
  /** A fixed lane count (`--concurrency`, CODE2ASIN_WORKER_CONCURRENCY): never re-derived. */
  fixed?: number;
  /** The pace now; a failure keeps the previous count. */
  pace: () => Promise<LanePace>;
  /** The count before the first reading. */
  initial: LanePace;
  onChange?: (lanes: number, pace: LanePace) => void;
  /** A reading that failed (the previous count stays; the next reading tries again). */
  onPaceError?: (error: unknown, lanes: number) => void;
}

/**
 * Automatic concurrency (issue 23): the lane count follows the credential's rate, its answer
 * time and the number of processes sharing it, re-read every 2 s, so a worker joining or leaving
 * resizes the others' lanes and claims (claims are lanes × codes per request).
 */
export function createLaneSizer(options: LaneSizerOptions): LaneSizer {
  const fixed = options.fixed === undefined ? undefined : Math.max(1, Math.floor(options.fixed));
  let lanes = fixed ?? lanesFor(options.initial);
  let wake: (() => void) | null = null;
  let woken = new Promise<void>((resolve) => (wake = resolve));
  let timer: NodeJS.Timeout | null = null;
  let reading = false;

  const set = (next: number, pace: LanePace): void => {
    if (next === lanes) return;
    lanes = next;
    options.onChange?.(next, pace);
    const w = wake;
    woken = new Promise<void>((resolve) => (wake = resolve));
    w?.();
  };

  const refresh = async (): Promise<void> => {
    if (reading) return;
    reading = true;
    try {
      const pace = await options.pace();
      set(lanesFor(pace), pace);
    } catch (error) {
      // The previous count stays; the next reading tries again.
      options.onPaceError?.(error, lanes);
    } finally {
      reading = false;
    }
  };

  return {
    get lanes() {
      return lanes;
    },
    max: fixed ?? MAX_AUTO_LANES,
    async admit(index, stop) {
      while (index >= lanes && !stop.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stop.removeEventListener('abort', done);
            resolve();
          };
          stop.addEventListener('abort', done, { once: true });
          void woken.then(done);
        });
      }
    },
    start() {
      if (fixed !== undefined || timer) return;
      void refresh();
      timer = setInterval(() => void refresh(), REFRESH_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      wake?.();
    },
  };
}
