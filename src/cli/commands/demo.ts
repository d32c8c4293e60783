import { InvalidArgumentError, type Command } from 'commander';
import type { DemoFlags } from '../demo-run.js';
import { catchStopSignals } from '../stop-signals.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number between ${min} and ${max}`);
    return n;
  };
}

/** `code2asin demo`: the whole product on embedded defaults, against the local emulator. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole product in one command: serve + a local Amazon emulator, a finished sample job and a token (data in ./data/demo)',
    )
    .option('--port <port>', 'port of the API', integer(0, 65535), 8080)
    .option('--host <host>', 'address of the API', '127.0.0.1')
    .option(
      '--data <dir>',
      'the demo folder (database, key, token), never mixed with ./data',
      './data/demo',
    )
    .option(
      '--products <n>',
      'generated emulator products (plus the demo ones)',
      integer(1, 100_000),
      1000,
    )
    .option(
      '--tps <n>',
      'requests per second the emulator allows (and the demo uses)',
      integer(1, 50),
      5,
    )
    .action(async (flags: DemoFlags) => {
      // Before anything is started or printed: a stop sent during start-up shuts down cleanly.
      const signals = catchStopSignals();
      // Loaded on use: the other commands need neither the emulator nor the HTTP stack.
      const { runDemo } = await import('../demo-run.js');
      await runDemo(flags, signals);
    });
}
