import { Option, type Command } from 'commander';
import { waitForSignal } from './serve.js';

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
      // Started by `serve`: stop with it, even when it was killed (the IPC channel closes). The
      // channel may already be gone when this runs (serve killed during start-up).
      let started = false;
      if (opts.supervised) {
        if (!process.channel || !process.connected) process.exit(0);
        process.once('disconnect', () => {
          if (!started) process.exit(0);
          process.kill(process.pid, 'SIGTERM');
        });
        process.channel.unref();
      }
      const { openCliRuntime } = await import('../runtime.js');
      const runtime = await openCliRuntime({ waitForDatabase: true });
      const worker = runtime.jobs.startWorker(
        opts.concurrency ? { concurrency: Number(opts.concurrency) } : {},
      );
      runtime.logger.info(`worker ${worker.id} started on ${runtime.database.kind}`);
      // A supervised worker is `serve`'s own: serve's block already says all of it.
      if (!opts.supervised) {
        const { formatStartupReport, startupAmazonReadiness, startupDisk } =
          await import('../startup-report.js');
        const { config, database, logger } = runtime;
        process.stdout.write(
          formatStartupReport({
            command: 'worker',
            databaseUrl: config.databaseUrl,
            workerMode: `worker ${worker.id}`,
            amazon: await startupAmazonReadiness(config, database, logger),
            disk: await startupDisk(config, database),
          }),
        );
      }
      const stopped = waitForSignal(runtime.logger, () => runtime.close());
      started = true;
      if (opts.supervised && !process.connected) process.kill(process.pid, 'SIGTERM');
      await stopped;
    });
}
