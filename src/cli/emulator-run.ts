import { catchStopSignals, type StopSignals } from './stop-signals.js';
import {
  type EmulatorOptions,
  type RunningEmulator,
  DEMO_CATALOG_PATH,
  formatEnv,
  generateCatalog,
  loadCatalogFile,
  mergeEnv,
  startEmulator,
  withDemoProducts,
} from '../emulator/index.js';

/** Flags of `code2asin emulator`, as commander parses them. */
export interface EmulatorFlags {
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
  lenientRequests?: boolean;
  throttleHints?: boolean;
  extraFields?: boolean;
  printEnv?: boolean;
}

/** Environment variables that switch on the same relaxations as the flags (`1` or `true`). */
export const BEHAVIOUR_ENV = {
  lenientRequests: 'CODE2ASIN_EMULATOR_LENIENT_REQUESTS',
  throttleHints: 'CODE2ASIN_EMULATOR_THROTTLE_HINTS',
  extraFields: 'CODE2ASIN_EMULATOR_EXTRA_FIELDS',
} as const;

function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = env[name]?.trim().toLowerCase();
  return v === '1' || v === 'true';
}

/** Turns flags (and the behaviour variables) into startEmulator options, no logic beyond that. */
export function emulatorOptionsFromFlags(
  flags: EmulatorFlags,
  env: NodeJS.ProcessEnv = process.env,
): EmulatorOptions {
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
  options.behaviour = {
    lenientRequests: flags.lenientRequests ?? envFlag(env, BEHAVIOUR_ENV.lenientRequests),
    throttleHints: flags.throttleHints ?? envFlag(env, BEHAVIOUR_ENV.throttleHints),
    extraFields: flags.extraFields ?? envFlag(env, BEHAVIOUR_ENV.extraFields),
  };
  return options;
}

/** AMAZON_* lines for both protocols (Creators first: it is the default provider). */
function envOf(emu: RunningEmulator): Record<string, string> {
  const hasPaapi = emu.credentials.some((c) => c.kind === 'paapi');
  const hasSpapi = emu.credentials.some((c) => c.kind === 'spapi');
  const hasKeepa = (emu.catalog.keepaKeys?.length ?? 0) > 0;
  // Marks what the settings point at: start-up, /health, jobs and result files say "emulator".
  return {
    ...mergeEnv(
      emu.env('creators'),
      hasPaapi ? emu.env('paapi') : undefined,
      hasSpapi ? emu.env('spapi') : undefined,
      hasKeepa ? emu.env('keepa') : undefined,
    ),
    CODE2ASIN_AMAZON_SOURCE: 'emulator',
  };
}

/** The banner printed at start: credentials accepted and the environment to paste. */
export function describeEmulator(emu: RunningEmulator): string {
  const lines = [`code2asin emulator listening on ${emu.url}`, '', 'Credentials accepted:'];
  for (const c of emu.credentials) {
    if (c.kind === 'spapi') {
      lines.push(
        `  spapi  clientId=${c.clientId}  clientSecret=${c.clientSecret}  refreshToken=${c.refreshToken}`,
      );
      continue;
    }
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
  for (const k of emu.catalog.keepaKeys ?? []) {
    const plan = k.paid === false ? ' (plan expired: every /product gets 402)' : '';
    lines.push(`  keepa  key=${k.key}  refill=${k.refillRate ?? 20} tokens/min${plan}`);
  }
  lines.push(
    '',
    '# Environment (set AMAZON_PROVIDER=paapi for PA-API 5.0, spapi for SP-API, keepa for Keepa):',
    formatEnv(envOf(emu)),
  );
  const relaxed = Object.entries(emu.behaviour)
    .filter(([, on]) => on)
    .map(([name]) => name);
  lines.push('', `Strictness: ${relaxed.length ? `relaxed (${relaxed.join(', ')})` : 'strict'}`);
  lines.push('', `Stats: ${emu.url}/__emulator/stats    Ctrl-C to stop.`);
  return lines.join('\n');
}

/**
 * Runs `code2asin emulator` until SIGINT/SIGTERM (`signals`: caught since the command began), or
 * prints the environment and exits.
 */
export async function runEmulator(flags: EmulatorFlags, signals?: StopSignals): Promise<void> {
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
  await (signals ?? catchStopSignals()).runService(async () => {
    const emu = await startEmulator(options);
    process.stdout.write(`${describeEmulator(emu)}\n`);
    return { stop: () => emu.close() };
  });
}
