import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EmulatorOptions, RunningEmulator } from '../../emulator/index.js';
import {
  DEMO_CATALOG_PATH,
  formatEnv,
  generateCatalog,
  loadCatalogFile,
  mergeEnv,
  startEmulator,
} from '../../emulator/index.js';
import { withDemoProducts } from '../../emulator/with-demo-products.js';

/** Flags of `code2asin emulator`, as commander parses them. */
interface EmulatorFlags {
  port: number;
  host: string;
  catalog?: string;
  generate?: number;
  seed: number;
  tps?: number;
  burst?: number;
  tpd?: number;
  latencyMs?: number;
  faultRate?: number;
  tokenTtl?: number;
  printEnv?: boolean;
}

function number(min: number, max = Number.MAX_SAFE_INTEGER, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(`expected a number between ${min} and ${max}`);
    return n;
  };
}

/** Turns flags into startEmulator options (no logic beyond that). */
export function emulatorOptionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  const options: EmulatorOptions = { host: flags.host, port: flags.port };
  if (flags.catalog) options.catalog = loadCatalogFile(flags.catalog);
  // A generated catalog also serves the demo products, so examples/codes.csv maps against it.
  else if (flags.generate !== undefined)
    options.catalog = withDemoProducts(
      generateCatalog(flags.generate, flags.seed),
      loadCatalogFile(DEMO_CATALOG_PATH),
    );
  if (flags.tps !== undefined) options.tps = flags.tps;
  if (flags.burst !== undefined) options.burst = flags.burst;
  if (flags.tpd !== undefined) options.tpd = flags.tpd;
  if (flags.latencyMs !== undefined) options.latencyMs = flags.latencyMs;
  if (flags.faultRate !== undefined) options.faultRate = flags.faultRate;
  if (flags.tokenTtl !== undefined) options.tokenTtlS = flags.tokenTtl;
  return options;
}

/** AMAZON_* lines for both protocols (Creators first: it is the default provider). */
function envOf(emu: RunningEmulator): Record<string, string> {
  const hasPaapi = emu.credentials.some((c) => c.kind === 'paapi');
  return mergeEnv(emu.env('creators'), hasPaapi ? emu.env('paapi') : undefined);
}

/** The banner printed at start: credentials accepted and the environment to paste. */
export function describeEmulator(emu: RunningEmulator): string {
  const lines = [`code2asin emulator listening on ${emu.url}`, '', 'Credentials accepted:'];
  for (const c of emu.credentials) {
    const flags = c.eligible === false ? ' (not eligible: every call gets 403)' : '';
    if (c.kind === 'creators')
      lines.push(
        `  creators ${c.version}  id=${c.id}  secret=${c.secret}  tag=${c.partnerTag}${flags}`,
      );
    else
      lines.push(
        `  paapi ${c.region}  accessKey=${c.accessKey}  secretKey=${c.secretKey}  tag=${c.partnerTag}${flags}`,
      );
  }
  lines.push(
    '',
    '# Environment (set AMAZON_PROVIDER=paapi to use PA-API 5.0):',
    formatEnv(envOf(emu)),
  );
  lines.push('', `Stats: ${emu.url}/__emulator/stats    Ctrl-C to stop.`);
  return lines.join('\n');
}

async function runEmulator(flags: EmulatorFlags): Promise<void> {
  const options = emulatorOptionsFromFlags(flags);
  if (flags.printEnv) {
    // Same options, but no port is held: print and exit.
    const emu = await startEmulator({ ...options, port: 0 });
    const url = `http://${flags.host === '0.0.0.0' ? '127.0.0.1' : flags.host}:${flags.port}`;
    await emu.close();
    const text = formatEnv(envOf(emu))
      .replaceAll(emu.url, url)
      .replaceAll(new URL(emu.url).host, new URL(url).host);
    process.stdout.write(`${text}\n`);
    return;
  }
  const emu = await startEmulator(options);
  process.stdout.write(`${describeEmulator(emu)}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emu.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
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
    .option('--print-env', 'print the AMAZON_* lines for these options and exit')
    .action(async (flags: EmulatorFlags) => {
      await runEmulator(flags);
    });
}
