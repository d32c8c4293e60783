/**
 * The body of an ingestion thread (see {@link createIngestionPool}): its own database connection,
 * logger and job log, and `createJob` run on the tasks the pool sends, one at a time. Importing
 * it does nothing outside such a thread.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData, isMainThread } from 'node:worker_threads';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../logging/logger.js';
import type { JobsContext } from './context.js';
import type { ProviderInfo } from './unit-lookup.js';
import { createJob } from './create-job.js';
import { createJobLogWriter } from './job-log.js';
import {
  serializeError,
  type IngestReply,
  type IngestRequest,
  type IngestThreadData,
} from './ingest-messages.js';

function start(data: IngestThreadData): void {
  const port = parentPort;
  if (!port) return;
  const logger = createLogger({ level: data.logLevel, secrets: data.secrets });
  lowerPriority(data.niceness ?? 0, logger);
  // A small pool: one ingestion at a time per thread, which holds at most two connections.
  const database = openDatabase(data.databaseUrl, { poolSize: 3 });
  const ctx: JobsContext = {
    database,
    logger,
    createJobLog: createJobLogWriter(database.db, logger),
    quotaTps: data.quotaTps,
    webhookAllowPrivate: data.webhookAllowPrivate,
  };
  port.on('message', (request: IngestRequest) => {
    const { readiness, requestShape, providers } = request;
    const own: JobsContext = {
      ...ctx,
      ...(readiness ? { amazonReadiness: async () => readiness } : {}),
      ...(requestShape ? { lookupBatching: async () => requestShape } : {}),
      ...(providers ? { providerInfo: providerInfoFrom(providers) } : {}),
    };
    void createJob(own, request.input).then(
      (job) =>
        port.postMessage({ id: request.id, kind: 'done', jobId: job.id } satisfies IngestReply),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          kind: 'failed',
          error: serializeError(error),
        } satisfies IngestReply),
    );
  });
  port.on('close', () => void database.close());
}

/**
 * Ingestion is background work next to the job worker and the API: at equal priority, on a
 * 2-core machine, its CPU took request slots from the running job (bench/upload-during-job).
 */
function lowerPriority(niceness: number, logger: ReturnType<typeof createLogger>): void {
  if (niceness === 0) return;
  try {
    // pid 0: the calling thread (Linux keeps a niceness per thread). Relative to the process's
    // own niceness: a `serve` started with `nice` keeps its threads below itself.
    setPriority(0, Math.min(19, getPriority(0) + niceness));
  } catch (err) {
    logger.debug({ err }, 'ingestion thread priority left unchanged');
  }
}

if (!isMainThread && (workerData as { ingestThread?: IngestThreadData } | null)?.ingestThread) {
  start((workerData as { ingestThread: IngestThreadData }).ingestThread);
}

/** A provider's readiness and shape as the calling process read them. */
function providerInfoFrom(list: readonly ProviderInfo[]): JobsContext['providerInfo'] {
  return async (provider) =>
    list.find((i) => i.provider === provider) ?? {
      provider,
      ready: false,
      missing: [],
      shape: { maxCodesPerCall: 1 },
    };
}
