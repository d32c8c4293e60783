import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger.js';

/** A real logger whose lines are kept in memory, for asserting what was (not) logged. */
export function createCapturingLogger(
  options: { level?: string; secrets?: readonly string[] } = {},
): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({
    level: options.level ?? 'trace',
    secrets: options.secrets,
    destination,
  });
  return { logger, lines, text: () => lines.join('\n') };
}
