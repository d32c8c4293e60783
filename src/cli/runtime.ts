import { loadConfig } from '../config/env.js';
import { openJobsProcess, type JobsProcess } from '../jobs/jobs-process.js';
import { createLogger } from '../logging/logger.js';

export type CliRuntime = JobsProcess;

/**
 * What the `worker` and `map` commands share with `serve` (`openJobsProcess`), with a logger to
 * stderr so that stdout stays for results.
 */
export async function openCliRuntime(
  options: { logLevel?: string; waitForDatabase?: boolean; startupAbort?: AbortSignal } = {},
): Promise<CliRuntime> {
  const config = loadConfig();
  const { pino } = await import('pino');
  const logger = createLogger({
    level: options.logLevel ?? config.logLevel,
    secrets: config.secrets,
    destination: pino.destination(2),
  });
  return openJobsProcess(config, logger, {
    waitForDatabase: options.waitForDatabase,
    startupAbort: options.startupAbort,
  });
}
