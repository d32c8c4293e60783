import type { Command } from 'commander';
import { waitForSignal } from './serve.js';

/** `code2asin worker`: a worker process (several may run, on several machines with PostgreSQL). */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('process running jobs from DATABASE_URL until SIGINT/SIGTERM')
    .option('--concurrency <n>', 'lookups in flight (default from AMAZON_TPS)')
    .action(async (opts: { concurrency?: string }) => {
      const { openCliRuntime } = await import('../runtime.js');
      const runtime = await openCliRuntime();
      const worker = runtime.jobs.startWorker(
        opts.concurrency ? { concurrency: Number(opts.concurrency) } : {},
      );
      runtime.logger.info(`worker ${worker.id} started on ${runtime.database.kind}`);
      await waitForSignal(runtime.logger, () => runtime.close());
    });
}
