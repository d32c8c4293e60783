import type { ProviderName } from '../../src/config/provider-names.js';
import { loadConfig } from '../../src/config/env.js';
import type { Database } from '../../src/db/database.js';
import {
  generateCatalog,
  startEmulator,
  type EmulatorCatalog,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJobLogWriter } from '../../src/jobs/job-log.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { createWorker, type Worker, type WorkerOptions } from '../../src/jobs/worker.js';
import { createCapturingLogger } from './capture-logger.js';

/** A jobs context on a test database, with the ended jobs recorded. */
export function createTestJobsContext(
  database: Database,
  quotaTps = 20,
): JobsContext & { ended: Job[] } {
  const { logger } = createCapturingLogger({ level: 'warn' });
  const ended: Job[] = [];
  return {
    database,
    logger,
    createJobLog: createJobLogWriter(database.db, logger),
    quotaTps,
    ended,
    onJobEnded: async (job) => {
      ended.push(job);
    },
  };
}

/** An emulator with a generated catalog served on www.amazon.fr and www.amazon.de. */
export async function startTestEmulator(
  options: {
    tps?: number;
    burst?: number;
    latencyMs?: number;
    count?: number;
    /** Another catalog than the generated one of `count` products (e.g. the labelled one). */
    catalog?: EmulatorCatalog;
  } = {},
): Promise<RunningEmulator> {
  const catalog = options.catalog ?? generateCatalog(options.count ?? 120, 7);
  const fr = catalog.marketplaces['www.amazon.fr'];
  if (fr) catalog.marketplaces['www.amazon.de'] = structuredClone(fr);
  return startEmulator({
    port: 0,
    catalog,
    tps: options.tps ?? 50,
    burst: options.burst ?? 10,
    latencyMs: options.latencyMs ?? 0,
  });
}

/** Amazon settings from the emulator's environment (plus overrides). */
export function emulatorSettings(
  emu: RunningEmulator,
  overrides: Record<string, string> = {},
  kind: ProviderName = 'creators',
) {
  return loadConfig({ ...emu.env(kind), AMAZON_TPS: '50', AMAZON_BURST: '10', ...overrides })
    .amazon;
}

/** Runs a worker until every given job has ended or paused (or the timeout passes). */
export async function runWorkerUntilSettled(
  ctx: JobsContext,
  emu: RunningEmulator,
  jobIds: string[],
  options: Partial<WorkerOptions> & {
    settings?: ReturnType<typeof emulatorSettings>;
    timeoutMs?: number;
  } = {},
): Promise<{ worker: Worker; jobs: Job[] }> {
  const lookup = createAmazonLookup(options.settings ?? emulatorSettings(emu), ctx.database.db);
  const worker = createWorker(ctx, {
    lookup,
    idlePollMs: 50,
    statusRefreshMs: 50,
    jobIds,
    ...options,
  });
  worker.start();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    for (;;) {
      const jobs = await Promise.all(jobIds.map((id) => getJob(ctx.database.db, id)));
      if (jobs.every((j) => ['completed', 'failed', 'cancelled', 'paused'].includes(j.status)))
        return { worker, jobs };
      if (Date.now() > deadline)
        throw new Error(
          `jobs not settled: ${jobs.map((j) => `${j.id}=${j.status} ${JSON.stringify(j.counters)}`).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await worker.stop();
  }
}

/**
 * Search requests the emulator admitted (the quota they cost), all credentials and protocols
 * together. A 429 is left out: on a busy machine a request may reach the emulator late after the
 * one before and be refused; it is retried and costs nothing, so counting it would make a
 * verdict depend on the machine's load.
 */
export function searchRequests(emu: RunningEmulator): number {
  let n = 0;
  for (const cred of Object.values(emu.stats().credentials)) {
    for (const [op, s] of Object.entries(cred.operations))
      if (/search/i.test(op)) n += s.requests - s.status['429'];
  }
  return n;
}
