import type { AmazonReadiness } from '../amazon/readiness.js';
import type { Config } from '../config/env.js';
import { loadAmazonSettings } from '../config/effective-amazon-settings.js';
import { resolveSecretKey } from '../config/secret-key.js';
import type { Database } from '../db/database.js';
import { amazonReadiness } from '../amazon/readiness.js';
import type { Logger } from '../logging/logger.js';
import { measureDatabaseStorage, type DatabaseStorage } from '../db/database-storage.js';
import {
  imageDirectory,
  measureVolumes,
  watchedVolumes,
  type VolumeSpace,
} from '../db/disk-space.js';

/** What a starting process knows about itself, to tell the user in one block. */
export interface StartupFacts {
  /** The command: `serve`, `worker` or `demo`. */
  command: 'serve' | 'worker' | 'demo';
  /** The API's address (serve, demo). */
  url?: string;
  databaseUrl: string;
  /** Where `serve` runs its worker (`process`, `inline`, `off`), or `worker` itself. */
  workerMode: string;
  amazon: AmazonReadiness;
  /** The admin token generated at this start, shown once (or always, in the demo). */
  token?: string;
  /** Free space on the database's and images' volumes; what is known of PostgreSQL's. */
  disk?: { volumes: VolumeSpace[]; minFreeMb: number; storage?: DatabaseStorage | null };
}

/** The database without its password: `sqlite:./data/code2asin.db`, `postgres://u@host/db`. */
export function describeDatabase(url: string): string {
  if (!/^postgres/.test(url)) return url;
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}

function amazonLines(a: AmazonReadiness): string[] {
  const what = a.source === 'emulator' ? 'the local Amazon emulator' : 'Amazon';
  if (a.ready) return [`Amazon      ${a.provider} on ${a.marketplace} (${what}): ready`];
  const lines = [
    `Amazon      ${a.provider} on ${a.marketplace} (${what}): NOT READY — jobs wait (waiting_for_amazon) until these are set:`,
  ];
  for (const m of a.missing)
    lines.push(`              ${m.variable}  (config field "${m.field}"): ${m.problem}`);
  const body = JSON.stringify(Object.fromEntries(a.missing.map((m) => [m.field, '…'])));
  lines.push(
    '            set them in the environment and restart, or without a restart:',
    `              curl -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '${body}' <address>/api/v1/amazon/config`,
    '            or try the whole product on a local Amazon emulator: npx code2asin demo',
  );
  return lines;
}

function tokenLines(facts: StartupFacts): string[] {
  if (facts.command === 'worker') return [];
  const lines = facts.token
    ? [
        `Token       ${facts.token}`,
        facts.command === 'demo'
          ? '            (the demo admin token, printed at every demo start)'
          : '            (admin token generated at first start: shown once, store it now)',
      ]
    : ['Token       the admin token was shown at first start (or is CODE2ASIN_ADMIN_TOKEN);'];
  // `tokens` works on DATABASE_URL: the demo's database must be named to reach it.
  const db = facts.command === 'demo' ? `DATABASE_URL=${facts.databaseUrl} ` : '';
  lines.push(
    `            another: ${db}npx code2asin tokens create --admin (or --owner <name> to share that owner’s jobs)`,
  );
  return lines;
}

/**
 * One line per watched volume, with a warning when it is under the threshold; for PostgreSQL,
 * its size and that its volume is not watched here.
 */
function diskLines(
  volumes: readonly VolumeSpace[],
  minFreeMb: number,
  storage?: DatabaseStorage | null,
): string[] {
  const lines = volumes.map((v, i) => {
    const head = i === 0 ? 'Disk        ' : '            ';
    const warn = v.low
      ? ` — LOW: under CODE2ASIN_MIN_FREE_DISK_MB=${minFreeMb}, the worker claims nothing until space is freed`
      : '';
    return `${head}${v.volume} ${v.path}: ${v.free_mb} MB free of ${v.total_mb} MB${warn}`;
  });
  if (storage && !storage.volume_measured)
    lines.push(
      `${lines.length === 0 ? 'Disk        ' : '            '}database (PostgreSQL): ${storage.size_mb} MB used (pg_database_size); its server's free space is not measured here — watch that server's disk`,
    );
  return lines;
}

/** Free space on the volumes of this configuration (database folder for SQLite, images). */
export async function startupDisk(
  config: Config,
  database: Database,
): Promise<{ volumes: VolumeSpace[]; minFreeMb: number; storage?: DatabaseStorage | null }> {
  const volumes = watchedVolumes(
    database.dataDir,
    imageDirectory(config.jobs.imageDir, database.dataDir),
  );
  const minFreeMb = config.jobs.minFreeDiskMb;
  // SQLite's file is on a volume listed above; a server's size is told beside it.
  const storage = database.dialect.remoteServer ? await measureDatabaseStorage(database) : null;
  return { volumes: await measureVolumes(volumes, minFreeMb), minFreeMb, storage };
}

/** The block `serve`, `worker` and `demo` print at start (stdout). */
export function formatStartupReport(facts: StartupFacts): string {
  const lines = [`code2asin ${facts.command}`];
  if (facts.url) lines.push(`Address     ${facts.url}   (API docs: ${facts.url}/api/docs)`);
  lines.push(`Database    ${describeDatabase(facts.databaseUrl)}`);
  lines.push(`Worker      ${facts.workerMode}`);
  if (facts.disk)
    lines.push(...diskLines(facts.disk.volumes, facts.disk.minFreeMb, facts.disk.storage));
  lines.push(
    ...amazonLines(facts.amazon).map((l) =>
      facts.url
        ? l.replace('<address>', facts.url)
        : l.replace('<address>', 'http://<serve address>'),
    ),
  );
  lines.push(...tokenLines(facts));
  return `${lines.join('\n')}\n`;
}

/** The effective Amazon settings' readiness, as the worker will see them (stored over env). */
export async function startupAmazonReadiness(
  config: Config,
  database: Database,
  logger: Logger,
): Promise<AmazonReadiness> {
  const keys = {
    current: resolveSecretKey(config.secretKey, database.dataDir, logger),
    previous: config.previousSecretKey,
  };
  const settings = await loadAmazonSettings(database.db, config, keys)
    .then((e) => e.settings)
    .catch(() => config.amazon);
  return amazonReadiness(settings, config.amazonSource);
}

/** Describes the worker mode of `serve` as configured. */
export function describeWorkerMode(mode: Config['jobs']['worker']): string {
  if (mode === 'process') return 'process (a supervised `code2asin worker` child)';
  if (mode === 'inline') return 'inline (on the server’s event loop)';
  return 'off (run `npx code2asin worker` next to it)';
}

/** Prints the start-up block of `serve` (and `demo`, which is `serve` on the emulator). */
export async function printServeStartup(options: {
  command: 'serve' | 'demo';
  config: Config;
  logger: Logger;
  server: { url: string; database: Database };
  token: string | undefined;
  write?: (text: string) => void;
}): Promise<void> {
  const { config, server } = options;
  const amazon = await startupAmazonReadiness(config, server.database, options.logger);
  const text = formatStartupReport({
    command: options.command,
    url: server.url,
    databaseUrl: config.databaseUrl,
    workerMode: describeWorkerMode(config.jobs.worker),
    amazon,
    token: options.token,
    disk: await startupDisk(config, server.database),
  });
  (options.write ?? ((t: string) => process.stdout.write(t)))(text);
}
