import { Option, type Command } from 'commander';
import type { CliRuntime } from '../runtime.js';
import { catchStopSignals } from '../stop-signals.js';

/** `code2asin worker`: a worker process (several may run, on several machines with PostgreSQL). */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('process running jobs from DATABASE_URL until SIGINT/SIGTERM')
    .option(
      '--concurrency <n>',
      'lookups in flight (default: automatic, from the rate, answer time and workers sharing it)',
    )
    // Set by `serve` (CODE2ASIN_WORKER=process), which talks to its child over an IPC channel.
    .addOption(new Option('--supervised', 'stop when the parent serve process is gone').hideHelp())
    .action(async (opts: { concurrency?: string; supervised?: boolean }) => {
      // Before anything is started or printed: a stop sent during start-up shuts down cleanly.
      const signals = catchStopSignals();
      // Started by `serve`: stop with it, even when it was killed (the IPC channel closes): the
      // channel's end is a stop request like SIGTERM (serve's own stop closes it). The channel may
      // already be gone when this runs (serve stopped during this process's start-up).
      if (opts.supervised) {
        if (!process.channel || !process.connected) process.exit(0);
        process.once('disconnect', () => signals.request('SIGTERM'));
        process.channel.unref();
      }
      await signals.runService(async () => {
        const { openCliRuntime } = await import('../runtime.js');
        const runtime = await openCliRuntime({
          waitForDatabase: true,
          startupAbort: signals.startupAbort,
        });
        const worker = runtime.jobs.startWorker(
          opts.concurrency ? { concurrency: Number(opts.concurrency) } : {},
        );
        runtime.logger.info(`worker ${worker.id} started on ${runtime.database.kind}`);
        // A supervised worker is `serve`'s own: serve's block already says all of it.
        if (!opts.supervised) await printWorkerStartup(runtime, worker.id);
        return { logger: runtime.logger, stop: () => runtime.close() };
      });
    });
}

async function printWorkerStartup(runtime: CliRuntime, workerId: string): Promise<void> {
  const { formatStartupReport, startupAmazonReadiness, startupDisk } =
    await import('../startup-report.js');
  const { config, database, logger } = runtime;
  process.stdout.write(
    formatStartupReport({
      command: 'worker',
      databaseUrl: config.databaseUrl,
      workerMode: `worker ${workerId}`,
      amazon: await startupAmazonReadiness(config, database, logger),
      disk: await startupDisk(config, database),
    }),
  );
}
