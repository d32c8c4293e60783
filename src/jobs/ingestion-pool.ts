import { Worker } from 'node:worker_threads';
import type { AmazonReadiness } from '../amazon/readiness.js';
import type { ProviderInfo, RequestShape } from './unit-lookup.js';
import type { Config } from '../config/env.js';
import { parseDatabaseUrl } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { JobError } from './errors.js';
import {
  deserializeError,
  type IngestReply,
  type IngestRequest,
  type IngestThreadData,
  type ThreadJobInput,
} from './ingest-messages.js';

/**
 * Where `serve` reads and ingests uploads: on worker threads, `threads` at once, the others
 * waiting in a queue of `queueLimit`. Why: reading a file and preparing its rows is CPU work
 * (about 10 s of it per 1,000,000 rows) that, on the API's event loop, delayed every request:
 * eight concurrent 60,000-row uploads during a job took GET /jobs/{id} to a median of 904 ms
 * and the job from its 5/s quota to 2.46/s (docs/benchmarks/upload-during-job.md). A thread
 * has its own event loop and its own database connection: SQLite's `begin immediate` waits
 * for the write lock there (busy_timeout blocks the thread, not the API), and PostgreSQL gets
 * a connection pool of its own. One thread by default: SQLite has one writer anyway, and on a
 * small machine a second core is left to the API and the job worker.
 */
export interface IngestionPool {
  /**
   * Creates the job in a thread; resolves to its id, or rejects as `createJob` would. `readiness`:
   * the Amazon settings' readiness as the calling process sees it.
   */
  createJob(
    input: ThreadJobInput,
    readiness?: AmazonReadiness,
    requestShape?: RequestShape,
    providers?: ProviderInfo[],
  ): Promise<string>;
  /** Threads started (at most `threads`), ingestions running, and waiting. */
  readonly threads: number;
  readonly running: number;
  readonly waiting: number;
  /**
   * Stops the threads; a running ingestion is abandoned (its job never runs, as after a crash) and
   * its upload, like every waiting one, is answered 503 `ingestion_busy` at once.
   */
  close(): Promise<void>;
}

export interface IngestionPoolOptions {
  threads: number;
  queueLimit: number;
  thread: IngestThreadData;
  logger: Logger;
}

interface Task {
  id: number;
  input: ThreadJobInput;
  readiness?: AmazonReadiness;
  requestShape?: RequestShape;
  providers?: ProviderInfo[];
  resolve(jobId: string): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
}

/** Niceness of `serve`'s ingestion threads: below the API and the job worker (see ingest-thread.ts). */
const INGEST_NICENESS = 10;

/** Seconds a client is told to wait when the queue is full: about one 100,000-row file. */
const BUSY_RETRY_SECONDS = 10;

/**
 * The thread's entry, loaded through a bootstrap so that a checkout running TypeScript through
 * tsx (bin/code2asin.js registers it in the main thread only) loads the thread's `.ts` too.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.entry);
})().catch((error) => setImmediate(() => { throw error; }));
`;

function threadEntry(): { entry: string; tsxApi: string | null } {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(`./ingest-thread.${typescript ? 'ts' : 'js'}`, import.meta.url).href;
  // A loader given by `--import tsx` does not reach eval threads: the thread registers its own.
  return { entry, tsxApi: typescript ? import.meta.resolve('tsx/esm/api') : null };
}

export function createIngestionPool(options: IngestionPoolOptions): IngestionPool {
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { ...threadEntry(), ingestThread: options.thread },
    });
    const slot: Slot = { worker, task: null };
    worker.on('message', (reply: IngestReply) => finish(slot, reply));
    worker.on('error', (err) => options.logger.error({ err }, 'ingestion thread failed'));
    worker.on('exit', (code) => lost(slot, code));
    slots.push(slot);
    return slot;
  };

  const dispatch = (): void => {
    while (queue.length > 0 && !closed) {
      const slot =
        slots.find((s) => s.task === null) ?? (slots.length < options.threads ? spawn() : null);
      if (!slot) return;
      const task = queue.shift() as Task;
      slot.task = task;
      slot.worker.postMessage({
        id: task.id,
        input: task.input,
        readiness: task.readiness,
        requestShape: task.requestShape,
        providers: task.providers,
      } satisfies IngestRequest);
    }
  };

  const finish = (slot: Slot, reply: IngestReply): void => {
    const task = slot.task;
    if (!task || task.id !== reply.id) return;
    slot.task = null;
    if (reply.kind === 'done') task.resolve(reply.jobId);
    else task.reject(deserializeError(reply.error));
    dispatch();
  };

  const lost = (slot: Slot, code: number): void => {
    slots.splice(slots.indexOf(slot), 1);
    if (slot.task) {
      slot.task.reject(new Error(`the ingestion thread stopped (exit code ${code})`));
      slot.task = null;
    }
    dispatch();
  };

  return {
    createJob(input, readiness, requestShape, providers) {
      if (closed) return Promise.reject(new Error('the ingestion pool is closed'));
      const idle = slots.some((s) => s.task === null) || slots.length < options.threads;
      if (!idle && queue.length >= options.queueLimit) {
        return Promise.reject(busy(options.threads, options.queueLimit));
      }
      return new Promise<string>((resolve, reject) => {
        queue.push({ id: nextId++, input, readiness, requestShape, providers, resolve, reject });
        dispatch();
      });
    },
    get threads() {
      return slots.length;
    },
    get running() {
      return slots.filter((s) => s.task !== null).length;
    },
    get waiting() {
      return queue.length;
    },
    async close() {
      closed = true;
      // Running uploads are answered now (503, send it again), not when their file is read: the
      // HTTP server's close waits for every request in flight.
      for (const task of queue.splice(0)) task.reject(stopping());
      for (const slot of slots) {
        slot.task?.reject(stopping());
        slot.task = null;
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

function stopping(): JobError {
  return new JobError(
    'ingestion_busy',
    `The server is stopping; this upload was not stored. Send it again once the service is back (in about ${BUSY_RETRY_SECONDS} s).`,
    { retry_after_seconds: BUSY_RETRY_SECONDS, stopping: true },
  );
}

function busy(threads: number, queueLimit: number): JobError {
  return new JobError(
    'ingestion_busy',
    `${threads + queueLimit} uploads are being read or waiting already (CODE2ASIN_INGEST_THREADS=${threads}, CODE2ASIN_INGEST_QUEUE=${queueLimit}); send this one again in ${BUSY_RETRY_SECONDS} s.`,
    { retry_after_seconds: BUSY_RETRY_SECONDS, threads, queue: queueLimit },
  );
}

/**
 * The pool of `serve` (CODE2ASIN_INGEST_THREADS, CODE2ASIN_INGEST_QUEUE), or null when uploads
 * are read on the API's event loop: threads set to 0, or an in-memory SQLite database, which
 * a thread's own connection could not see.
 */
export function createServeIngestionPool(config: Config, logger: Logger): IngestionPool | null {
  const target = parseDatabaseUrl(config.databaseUrl);
  if (config.jobs.ingestThreads === 0) return null;
  if (target.kind === 'sqlite' && target.file === ':memory:') {
    logger.warn(
      'an in-memory database cannot be shared with ingestion threads; uploads are read on the event loop',
    );
    return null;
  }
  return createIngestionPool({
    threads: config.jobs.ingestThreads,
    queueLimit: config.jobs.ingestQueue,
    thread: {
      databaseUrl: config.databaseUrl,
      logLevel: config.logLevel,
      secrets: [...config.secrets],
      quotaTps: config.amazon.tps,
      webhookAllowPrivate: config.jobs.webhookAllowPrivate,
      niceness: INGEST_NICENESS,
    },
    logger,
  });
}
