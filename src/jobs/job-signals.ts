import { setMaxListeners } from 'node:events';

/**
 * The abort signals of a worker: one for the worker (stop) and one per job (pause, cancel,
 * settings missing). A lane's request listens on both while it waits.
 */
export class JobSignals {
  private readonly stopController = new AbortController();
  private readonly jobs = new Map<string, AbortController>();

  constructor(private readonly listeners: number) {
    setMaxListeners(listeners, this.stopController.signal);
  }

  get stop(): AbortSignal {
    return this.stopController.signal;
  }

  stopAll(): void {
    this.stopController.abort();
  }

  /** The job's signal; a new one once the previous was aborted (the job was resumed). */
  of(jobId: string): AbortSignal {
    let c = this.jobs.get(jobId);
    if (!c || c.signal.aborted) {
      c = new AbortController();
      setMaxListeners(this.listeners, c.signal);
      this.jobs.set(jobId, c);
    }
    return c.signal;
  }

  abortJob(jobId: string): void {
    this.jobs.get(jobId)?.abort();
  }

  /**
   * A signal aborted with the job's or the worker's, and `unlink` to call when done: unlike
   * AbortSignal.any it leaves no listener behind on the long-lived signals.
   */
  forRequest(jobId: string): { signal: AbortSignal; unlink: () => void } {
    const job = this.of(jobId);
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (job.aborted || this.stop.aborted) abort();
    job.addEventListener('abort', abort, { once: true });
    this.stop.addEventListener('abort', abort, { once: true });
    return {
      signal: controller.signal,
      unlink: () => {
        job.removeEventListener('abort', abort);
        this.stop.removeEventListener('abort', abort);
      },
    };
  }
}
