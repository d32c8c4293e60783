import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EmulatorFlags } from '../emulator-run.js';
import { catchStopSignals } from '../stop-signals.js';

function number(min: number, max = Number.MAX_SAFE_INTEGER, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(`expected a number between ${min} and ${max}`);
    return n;
  };
}

/** Registers `code2asin emulator`. */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run a local Amazon API emulator (Creators API + PA-API 5.0) on one port.')
    .option('--port <port>', 'port to listen on (0 = random)', number(0, 65535, true), 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--catalog <file>', 'catalog JSON file (default: examples/demo-catalog.json)')
    .option(
      '--generate <n>',
      'generate a catalog of N products instead',
      number(1, 10_000_000, true),
    )
    .option('--seed <s>', 'seed of --generate', number(0, 2 ** 32 - 1, true), 1)
    .option(
      '--tps <n>',
      'requests per second per credential (default: catalog, else 1)',
      number(0.001),
    )
    .option('--burst <n>', 'token bucket size (default: catalog, else 1)', number(1, 10_000, true))
    .option(
      '--tpd <n>',
      'requests per day per credential (default: catalog, else 8640)',
      number(1, Number.MAX_SAFE_INTEGER, true),
    )
    .option('--latency-ms <n>', 'added latency, ±20% jitter', number(0, 600_000))
    .option('--fault-rate <r>', 'share of API calls answered 500/503 (0–1)', number(0, 1))
    .option(
      '--token-ttl <s>',
      'access token lifetime in seconds (default 3600)',
      number(1, 86_400, true),
    )
    .option(
      '--lenient-requests',
      'ignore Creators body fields the SDK models do not define instead of a 400 (env CODE2ASIN_EMULATOR_LENIENT_REQUESTS=1)',
    )
    .option(
      '--throttle-hints',
      'Creators 429s also carry retryAfterSeconds and Retry-After (env CODE2ASIN_EMULATOR_THROTTLE_HINTS=1)',
    )
    .option(
      '--extra-fields',
      'Creators answers also carry fields the SDK models lack: ancestor isRoot, variationSummary.price (env CODE2ASIN_EMULATOR_EXTRA_FIELDS=1)',
    )
    .option('--print-env', 'print the AMAZON_* lines for these options and exit')
    .action(async (flags: EmulatorFlags) => {
      // Before anything is started or printed: a stop sent during start-up shuts down cleanly.
      const signals = flags.printEnv ? undefined : catchStopSignals();
      // The emulator is loaded on use: other commands start faster.
      const { runEmulator } = await import('../emulator-run.js');
      await runEmulator(flags, signals);
    });
}
