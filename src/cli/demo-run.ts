import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/env.js';
import {
  DEMO_CATALOG_PATH,
  generateCatalog,
  loadCatalogFile,
  startEmulator,
  type RunningEmulator,
  withDemoProducts,
} from '../emulator/index.js';
import { generateToken } from '../http/auth/token-repository.js';
import { createLogger } from '../logging/logger.js';
import { catchStopSignals, type RunningService, type StopSignals } from './stop-signals.js';
import { printServeStartup } from './startup-report.js';

/** Flags of `code2asin demo`. */
export interface DemoFlags {
  port: number;
  host: string;
  data: string;
  products: number;
  tps: number;
}

/** The supplier file the demo maps at its first start. */
export const SAMPLE_FILE = fileURLToPath(new URL('../../examples/codes.csv', import.meta.url));
const SAMPLE_NAME = 'Demo sample (examples/codes.csv)';

/**
 * The demo's admin token: made once, kept in the demo folder (mode 0600) and printed at every
 * start, so a newcomer always has one. The demo database holds nothing but emulator data.
 */
function demoToken(dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = generateToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/**
 * The environment of the demo: the emulator's credentials wired in, its own database and secret
 * key under the demo folder. Set on this process so `serve`'s worker child inherits it.
 */
function demoEnvironment(flags: DemoFlags, emu: RunningEmulator, dataDir: string) {
  // The SP-API app's settings too (not the provider): PUT /api/v1/amazon/config {"provider":"spapi"} switches.
  const { AMAZON_PROVIDER: _spapi, ...spapi } = emu.credentials.some((c) => c.kind === 'spapi')
    ? emu.env('spapi')
    : { AMAZON_PROVIDER: '' };
  return {
    ...spapi,
    ...emu.env('creators'),
    CODE2ASIN_AMAZON_SOURCE: 'emulator',
    AMAZON_PAAPI_ENABLED: 'true',
    AMAZON_TPS: String(flags.tps),
    AMAZON_BURST: '1',
    DATABASE_URL: `sqlite:${join(dataDir, 'code2asin.db')}`,
    // Never the real key or token: the demo's own, in the demo folder.
    CODE2ASIN_SECRET_KEY: '',
    CODE2ASIN_PREVIOUS_SECRET_KEY: '',
    CODE2ASIN_ADMIN_TOKEN: demoToken(dataDir),
    CODE2ASIN_IMAGE_DIR: join(dataDir, 'images'),
    // The banner is what a newcomer reads: request logs only when asked for.
    CODE2ASIN_LOG_LEVEL: process.env.CODE2ASIN_LOG_LEVEL || 'warn',
    CODE2ASIN_HOST: flags.host,
    CODE2ASIN_PORT: String(flags.port),
  };
}

/** Runs `code2asin demo` until SIGINT/SIGTERM (`signals`: caught since the command began). */
export async function runDemo(
  flags: DemoFlags,
  signals: StopSignals = catchStopSignals(),
): Promise<void> {
  await signals.runService(() => startDemo(flags, signals.startupAbort));
}

/** Emulator, server and sample job; a stop signal meanwhile ends the sample job's wait. */
async function startDemo(flags: DemoFlags, abort: AbortSignal): Promise<RunningService> {
  const dataDir = resolve(flags.data);
  mkdirSync(dataDir, { recursive: true });
  const catalog = withDemoProducts(
    generateCatalog(flags.products, 1),
    loadCatalogFile(DEMO_CATALOG_PATH),
  );
  // Loopback only, on a free port: the emulator is the demo's, nobody else's.
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', catalog, tps: flags.tps });
  try {
    const env = demoEnvironment(flags, emu, dataDir);
    Object.assign(process.env, env);
    const config = loadConfig(process.env);
    const logger = createLogger({ level: config.logLevel, secrets: config.secrets });
    const { startServer } = await import('../http/server.js');
    const server = await startServer({ config, logger, print: () => undefined });
    try {
      const sample = await runSampleJob(server.url, env.CODE2ASIN_ADMIN_TOKEN, abort);
      await printServeStartup({
        command: 'demo',
        config,
        logger,
        server,
        token: env.CODE2ASIN_ADMIN_TOKEN,
      });
      process.stdout.write(demoBanner(server.url, emu, sample));
    } catch (error) {
      // Stopped while the sample job ran: the server is up, so it stops like a started demo
      // (logged, then closed) rather than as a failed start-up. Any other error ends start-up.
      if (!abort.aborted) {
        await server.close();
        throw error;
      }
    }
    const stop = async () => {
      try {
        await server.close();
      } finally {
        await emu.close();
      }
    };
    return { logger, stop };
  } catch (error) {
    await emu.close();
    throw error;
  }
}

interface SampleJob {
  id: string;
  status: string;
  found: number;
  notFound: number;
  invalid: number;
}

/**
 * The sample job, run through the API like any client would: created once per demo folder
 * (found again by name at later starts), then waited for until it ends.
 */
async function runSampleJob(url: string, token: string, signal: AbortSignal): Promise<SampleJob> {
  const headers = { authorization: `Bearer ${token}` };
  const list = (await (
    await fetch(`${url}/api/v1/code2asin/jobs?search=${encodeURIComponent(SAMPLE_NAME)}`, {
      headers,
      signal,
    })
  ).json()) as { items: { id: string }[] };
  let id = list.items[0]?.id;
  if (!id) {
    const form = new FormData();
    form.set('file', await openAsBlob(SAMPLE_FILE), 'codes.csv');
    form.set('name', SAMPLE_NAME);
    const res = await fetch(`${url}/api/v1/code2asin/jobs`, {
      method: 'POST',
      headers,
      body: form,
      signal,
    });
    if (res.status !== 201)
      throw new Error(`The demo's sample job was refused: ${await res.text()}`);
    id = ((await res.json()) as { job_id: string }).job_id;
    process.stdout.write(`Running the sample job ${id} (examples/codes.csv) on the emulator…\n`);
  }
  for (;;) {
    const res = await fetch(`${url}/api/v1/code2asin/jobs/${id}?wait=30`, { headers, signal });
    const job = (await res.json()) as {
      status: string;
      counters: { found: number; not_found: number; invalid_rows: number };
    };
    if (job.status !== 'processing')
      return {
        id,
        status: job.status,
        found: job.counters.found,
        notFound: job.counters.not_found,
        invalid: job.counters.invalid_rows,
      };
  }
}

/** What the demo adds to the start-up block: the emulator and the finished sample job. */
function demoBanner(url: string, emu: RunningEmulator, sample: SampleJob): string {
  return [
    `Emulator    ${emu.url} (a local Amazon emulator: every result of this demo comes from it, not from Amazon)`,
    `Sample job  ${sample.id} ${sample.status}: ${sample.found} found, ${sample.notFound} not found, ${sample.invalid} invalid rows`,
    `            results: ${url}/api/v1/code2asin/jobs/${sample.id}/results`,
    `            file:    ${url}/api/v1/code2asin/jobs/${sample.id}/download`,
    'Data        kept in the demo folder only; `npx code2asin serve` uses ./data, never this one.',
    'Ctrl-C to stop.',
    '',
  ].join('\n');
}
