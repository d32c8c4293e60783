/**
 * A worker process with the test batch provider (`batch-provider.ts`), for the SIGKILL test:
 * prints `call <n> <codes>` when a request goes out, and holds request number `C2A_HOLD_AT`
 * in flight forever, so that the parent kills it with a batch claimed and unanswered.
 */
import { openDatabase } from '../../src/db/database.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { createBatchTestClients } from './batch-provider.js';
import { createTestJobsContext } from './jobs.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const holdAt = Number(env('C2A_HOLD_AT'));
const database = openDatabase(env('C2A_DATABASE_URL'));
const ctx = createTestJobsContext(database);
const { clients } = createBatchTestClients({
  beforeAnswer: async (codes, index) => {
    process.stdout.write(`call ${index} ${codes.join(',')}\n`);
    if (index === holdAt) await new Promise(() => {});
  },
});
const lookup = createAmazonLookup(JSON.parse(env('C2A_SETTINGS')), database.db, { clients });
const worker = createWorker(ctx, {
  lookup,
  concurrency: 1,
  idlePollMs: 20,
  leaseMs: Number(env('C2A_LEASE_MS')),
  jobIds: [env('C2A_JOB_ID')],
});
worker.start();
process.stdout.write('started\n');
