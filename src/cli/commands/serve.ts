import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../logging/logger.js';
import { catchStopSignals } from '../stop-signals.js';

/** `code2asin serve`: the HTTP service on the configured database. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP service (migrates the database first)')
    .option('--port <port>', 'port to listen on (default CODE2ASIN_PORT or 8080)')
    .option('--host <host>', 'address to listen on (default CODE2ASIN_HOST or 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      // Before anything is started or printed: a stop sent during start-up shuts down cleanly.
      const signals = catchStopSignals();
      await signals.runService(async () => {
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
        return { logger, stop: () => server.close() };
      });
    });
}
