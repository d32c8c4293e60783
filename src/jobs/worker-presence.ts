import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import { listAt } from '../amazon/rate-share-store.js';
import type { FailureLog } from './failure-log.js';

export interface WorkerPresenceOptions {
  id: string;
  /** Lanes now (automatic concurrency changes with the workers sharing a credential). */
  lanes: () => number;
  /** Units the worker holds now (queued locally or in flight). */
  heldUnits: () => number;
  /** Heartbeat period (default 2 s); a worker silent for 5 periods is no longer listed. */
  periodMs?: number;
  /** Where a failed heartbeat is told (rate-limited: a database outage fails every beat). */
  failures: FailureLog;
}

export interface WorkerPresence {
  /** Removes the worker's row (a killed worker's row expires instead). */
  stop(): Promise<void>;
}

/**
 * The worker's row in `code2asin_workers` (migration 0008), for `code2asin workers`: written
 * at start and every period with the units it holds. Purely informative: claims and the rate
 * shares have their own leases, so a failed heartbeat here changes nothing but the listing.
 */
export function startWorkerPresence(
  database: Database,
  options: WorkerPresenceOptions,
): WorkerPresence {
  const periodMs = options.periodMs ?? 2000;
  const started = Date.now();
  const write = async (): Promise<void> => {
    const now = Date.now();
    const values = {
      heartbeat_ms: now,
      expires_ms: now + 5 * periodMs,
      claimed_units: options.heldUnits(),
      concurrency: options.lanes(),
    };
    await database.db
      .insertInto('code2asin_workers')
      .values({
        id: options.id,
        host: hostname(),
        pid: process.pid,
        started_ms: started,
        ...values,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  };
  const context = { worker_id: options.id, period_ms: periodMs };
  const beat = (): Promise<void> =>
    write().catch((err: unknown) =>
      options.failures.failed(
        'heartbeat',
        'worker heartbeat not written; tried again at the next beat (only `code2asin workers` shows it)',
        err,
        context,
      ),
    );
  let last = beat();
  const timer = setInterval(() => {
    last = beat();
  }, periodMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await last;
      await database.db
        .deleteFrom('code2asin_workers')
        .where('id', '=', options.id)
        .execute()
        .catch((err: unknown) =>
          options.failures.failed(
            'presence_removal',
            "worker's row not removed at stop; it leaves the listing when its heartbeat expires",
            err,
            context,
          ),
        );
    },
  };
}

export interface LiveWorker {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAgoMs: number;
  claimedUnits: number;
  concurrency: number;
  /** Per credential key (provider:hash, no secret): this process's share of its rate now. */
  shares: { key: string; share: number; members: number }[];
}

/** Workers whose heartbeat is recent (this one counted once its first heartbeat is written). */
export async function countLiveWorkers(database: Database, now = Date.now()): Promise<number> {
  const row = await database.db
    .selectFrom('code2asin_workers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('expires_ms', '>', now)
    .executeTakeFirst();
  return Math.max(1, Number(row?.n ?? 0));
}

/** The live workers and, per credential, the share of its rate their process holds now. */
export async function listLiveWorkers(database: Database, now = Date.now()): Promise<LiveWorker[]> {
  const workers = await database.db
    .selectFrom('code2asin_workers')
    .selectAll()
    .where('expires_ms', '>', now)
    .orderBy('id')
    .execute();
  const members = await database.db.selectFrom('rate_limit_members').selectAll().execute();
  const lists = await database.db.selectFrom('rate_limit_shares').selectAll().execute();
  return workers.map((w) => {
    const mine = members.filter((m) => m.host === w.host && Number(m.pid) === Number(w.pid));
    const shares = mine.flatMap((m) => {
      const row = lists.find((l) => l.key === m.key);
      if (!row) return [];
      const state = {
        current: { members: parse(row.members), sinceMs: Number(row.since_ms), intervalMs: 0 },
        previous: { members: parse(row.previous), sinceMs: 0, intervalMs: 0 },
      };
      // The database's clock is not read here: a difference of a few ms only matters to the
      // moment a pending change shows.
      const list = listAt(state, now);
      const n = list.members.length;
      const share = list.members.includes(m.member_id) && n > 0 ? 1 / n : 0;
      return [{ key: m.key, share, members: n }];
    });
    return {
      id: w.id,
      host: w.host,
      pid: Number(w.pid),
      startedAt: new Date(Number(w.started_ms)).toISOString(),
      heartbeatAgoMs: Math.max(0, Math.round(now - Number(w.heartbeat_ms))),
      claimedUnits: Number(w.claimed_units),
      concurrency: Number(w.concurrency),
      shares,
    };
  });
}

function parse(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.map(String) : [];
}
