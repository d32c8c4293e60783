import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/env.js';
import { packageVersion } from '../config/package-version.js';
import { PROVIDER_NAMES } from '../config/provider-names.js';
import type { Database } from '../db/database.js';
import { describeDatabaseFault } from '../db/db-fault.js';
import { measureDatabaseStorage } from '../db/database-storage.js';
import {
  describeLowDisk,
  imageDirectory,
  measureVolumes,
  watchedVolumes,
  type VolumeSpace,
} from '../db/disk-space.js';
import { probeDatabaseWrite } from '../db/write-probe.js';
import { listLiveWorkers } from '../jobs/worker-presence.js';

const VOLUME_SCHEMA = {
  type: 'object',
  properties: {
    volume: { type: 'string', enum: ['database', 'images'] },
    path: { type: 'string' },
    free_mb: { type: 'number' },
    total_mb: { type: 'number' },
    low: { type: 'boolean', description: 'under CODE2ASIN_MIN_FREE_DISK_MB' },
  },
};

const WORKER_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'host:pid:random, as the worker logs it' },
    pid: { type: 'integer' },
    claimed_units: { type: 'integer', description: 'units it holds (queued or in flight)' },
    lanes: { type: 'integer', description: 'lookups it may have in flight now' },
    heartbeat_ago_ms: { type: 'integer' },
    shares: {
      type: 'array',
      description:
        'Per credential (`provider:sha256`, no secret): its share of the rate now (rate shares)',
      items: {
        type: 'object',
        properties: {
          credential: { type: 'string' },
          share: { type: 'number' },
          members: { type: 'integer' },
        },
      },
    },
  },
};

export const HEALTH_SCHEMA = {
  tags: ['service'],
  summary: 'Liveness, database reachability and free disk space (no token needed)',
  description:
    'Answers without a token. The live workers are counted for everyone (`worker_count`); their detail (`workers`: ids, host names, pids) only with a Bearer token of the `read` scope (or `admin`).',
  response: {
    '2xx': {
      type: 'object',
      description:
        'ok (200) or degraded (503) with `reason`: `database_unavailable` (the database does not answer), `disk_full` (it cannot be written), `low_disk` (a volume under CODE2ASIN_MIN_FREE_DISK_MB: workers stop claiming)',
      properties: {
        status: { type: 'string', enum: ['ok', 'degraded'] },
        reason: { type: 'string', enum: ['database_unavailable', 'disk_full', 'low_disk'] },
        message: { type: 'string', description: 'What is wrong and what to do' },
        since: { type: 'string', description: 'When the database fault began' },
        db: { type: 'string', enum: ['sqlite', 'postgres'] },
        version: { type: 'string' },
        disk: {
          type: 'array',
          items: VOLUME_SCHEMA,
          description:
            "Free space of the volumes this process writes to: the SQLite database's folder and the images' folder. PostgreSQL's volume is not listed (see `storage.note`).",
        },
        storage: {
          type: 'object',
          description: 'The space the database takes (left out while it does not answer)',
          properties: {
            size_mb: {
              type: 'number',
              description: "SQLite: the file's pages; PostgreSQL: pg_database_size",
            },
            volume_measured: {
              type: 'boolean',
              description: 'Whether the free space of its volume is in `disk`',
            },
            note: { type: 'string', description: 'What is not watched, and what to do' },
          },
        },
        worker_count: {
          type: 'integer',
          description: 'Live worker processes on this database',
        },
        workers: {
          type: 'array',
          items: WORKER_SCHEMA,
          description:
            'Live worker processes on this database (`code2asin workers`); only with a Bearer token of the `read` scope',
        },
        amazon: {
          type: 'object',
          description:
            'The Amazon provider, what it points at (`amazon`, or `emulator` in the demo), and whether its settings are complete (`missing` names the variables otherwise). No request is sent.',
          properties: {
            provider: { type: 'string', enum: [...PROVIDER_NAMES] },
            source: { type: 'string', enum: ['amazon', 'emulator'] },
            ready: { type: 'boolean' },
            missing: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      examples: [
        {
          status: 'ok',
          db: 'sqlite',
          version: '0.1.0',
          disk: [
            { volume: 'database', path: '/srv/data', free_mb: 5120, total_mb: 20480, low: false },
          ],
          storage: { size_mb: 84.5, volume_measured: true },
          worker_count: 1,
          amazon: { provider: 'creators', source: 'emulator', ready: true, missing: [] },
        },
      ],
    },
  },
};

interface Problem {
  reason: 'database_unavailable' | 'disk_full' | 'low_disk';
  message: string;
  since?: string;
}

/**
 * `/health`: a read tells whether the database answers; while a fault is known (a write failed
 * with a full disk), a write probe tells whether it cleared, so the answer follows the disk
 * within one call even in a process that writes nothing else.
 */
export function registerHealthRoute(
  app: FastifyInstance,
  deps: {
    database: Database;
    config: Config;
    amazon: () => Promise<object>;
    /** Whether the caller may see each worker (a valid token with the `read` scope). */
    showsWorkers: (request: FastifyRequest) => Promise<boolean>;
  },
): void {
  const { database, config } = deps;
  const minFreeMb = config.jobs.minFreeDiskMb;
  const volumes = watchedVolumes(
    database.dataDir,
    imageDirectory(config.jobs.imageDir, database.dataDir),
  );

  app.get('/health', { schema: HEALTH_SCHEMA }, async (request, reply) => {
    const disk = await measureVolumes(volumes, minFreeMb);
    const problem = await databaseProblem(database, disk, minFreeMb);
    reply.code(problem ? 503 : 200);
    const reachable = problem?.reason !== 'database_unavailable';
    const workers = reachable ? await liveWorkers(database) : undefined;
    return {
      status: problem ? 'degraded' : 'ok',
      ...problem,
      db: database.kind,
      version: packageVersion(),
      disk,
      storage:
        problem?.reason === 'database_unavailable'
          ? undefined
          : ((await measureDatabaseStorage(database)) ?? undefined),
      amazon: reachable ? await deps.amazon() : undefined,
      worker_count: workers?.length,
      // Ids carry host names, and pids: for callers with a token only.
      workers: workers && (await deps.showsWorkers(request)) ? workers : undefined,
    };
  });
}

/** The live workers as /health shows them; a failed read leaves the field out. */
async function liveWorkers(database: Database): Promise<object[] | undefined> {
  const workers = await listLiveWorkers(database).catch(() => null);
  return workers?.map((w) => ({
    id: w.id,
    pid: w.pid,
    claimed_units: w.claimedUnits,
    lanes: w.concurrency,
    heartbeat_ago_ms: w.heartbeatAgoMs,
    shares: w.shares.map((s) => ({ credential: s.key, share: s.share, members: s.members })),
  }));
}

async function databaseProblem(
  database: Database,
  disk: readonly VolumeSpace[],
  minFreeMb: number,
): Promise<Problem | null> {
  try {
    await database.db.selectFrom('code2asin_jobs').select('id').limit(1).execute();
  } catch {
    const fault = database.faults.current();
    return {
      reason: 'database_unavailable',
      message: describeDatabaseFault('database_unavailable'),
      since: fault?.since,
    };
  }
  if (database.faults.current()) await probeDatabaseWrite(database).catch(() => undefined);
  const fault = database.faults.current();
  if (fault) return { reason: fault.code, message: fault.message, since: fault.since };
  // No room at all: a small write may still fit in space SQLite holds already (the probe above
  // went through), the next larger one will not.
  if (disk.some((v) => v.volume === 'database' && v.free_mb === 0))
    return { reason: 'disk_full', message: describeDatabaseFault('disk_full') };
  const low = disk.filter((v) => v.low);
  if (low.length > 0) return { reason: 'low_disk', message: describeLowDisk(low, minFreeMb) };
  return null;
}
