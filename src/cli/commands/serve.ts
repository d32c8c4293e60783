import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../logging/logger.js';

/** `code2asin serve`: the HTTP service on the configured database. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP service (migrates the database first)')
    .option('--port <port>', 'port to listen on (default CODE2ASIN_PORT or 8080)')
    .option('--host <host>', 'address to listen on (default CODE2ASIN_HOST or 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig();
      const logger = createLogger({ level: config.logLevel, secrets: config.secrets });
      // Loaded on use: `code2asin --help` and the other commands need none of the HTTP stack.
      const { startServer } = await import('../../http/server.js');
      const { printServeStartup } = await import('../startup-report.js');
      let token: string | undefined;
      const server = await startServer({
        config,
        logger,
        port: opts.port === undefined ? undefined : Number(opts.port),
        host: opts.host,
        print: (_line, generated) => (token = generated),
      });
      await printServeStartup({ command: 'serve', config, logger, server, token });
      logger.info(`code2asin listening on ${server.url} (database: ${server.database.kind})`);
      await waitForSignal(logger, () => server.close());
    });
}

/** Resolves after SIGINT/SIGTERM has run `shutdown`; a second signal exits at once. */
export function waitForSignal(
  logger: { info(msg: string): void; error(o: object, msg: string): void },
  shutdown: () => Promise<void>,
): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.info(`${signal} received: shutting down`);
      shutdown()
        .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
