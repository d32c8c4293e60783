import { sql, type Transaction } from 'kysely';
import type {
  RateShareStore,
  ShareBeat,
  ShareList,
  ShareMember,
  ShareState,
} from '../amazon/rate-share-store.js';
import type { Database } from './database.js';
import type { DB, RateLimitSharesTable } from './schema.js';

const DAY_MS = 86_400_000;

export interface DatabaseRateShareStoreOptions {
  /** Time source (epoch ms). Default: the database's clock, one for every machine. */
  now?: () => number;
}

/**
 * The shares of each credential's rate in `rate_limit_shares` / `rate_limit_members`
 * (migration 0008). A heartbeat is one transaction that locks the credential's row first (the
 * `insert … on conflict do nothing` takes SQLite's write lock at once; PostgreSQL's row lock
 * comes with `for update`), so two members never both rewrite the lists from the same state.
 */
export function createDatabaseRateShareStore(
  database: Database,
  options: DatabaseRateShareStoreOptions = {},
): RateShareStore {
  const { singleWriter } = database.dialect;
  const created = new Set<string>();
  const readNow = async (trx: Transaction<DB>): Promise<number> => {
    if (options.now) return options.now();
    const expr = database.dialect.epochMsNow();
    const r = await sql<{ t: number }>`select ${expr} as t`.execute(trx);
    return Number(r.rows[0]?.t);
  };

  async function lockedRow(
    trx: Transaction<DB>,
    key: string,
    intervalMs: number,
  ): Promise<RateLimitSharesTable> {
    // SQLite: this write comes first so the transaction holds the write lock from the start
    // (a read first could not be upgraded while another process writes). PostgreSQL: once the
    // row exists, `for update` alone locks it.
    if (singleWriter || !created.has(key))
      await trx
        .insertInto('rate_limit_shares')
        .values({
          key,
          members: '[]',
          since_ms: 0,
          interval_ms: intervalMs,
          previous: '[]',
          previous_since_ms: 0,
          previous_interval_ms: intervalMs,
          paused_until_ms: 0,
          day: 0,
          day_count: 0,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    created.add(key);
    let q = trx.selectFrom('rate_limit_shares').selectAll().where('key', '=', key);
    if (!singleWriter) q = q.forUpdate();
    return q.executeTakeFirstOrThrow();
  }

  async function liveMembers(
    trx: Transaction<DB>,
    key: string,
    member: ShareMember,
    beat: ShareBeat,
    t: number,
  ): Promise<string[]> {
    if (beat.active)
      await trx
        .insertInto('rate_limit_members')
        .values({ key, member_id: member.id, host: member.host, pid: member.pid, heartbeat_ms: t })
        .onConflict((oc) => oc.columns(['key', 'member_id']).doUpdateSet({ heartbeat_ms: t }))
        .execute();
    else
      await trx
        .deleteFrom('rate_limit_members')
        .where('key', '=', key)
        .where('member_id', '=', member.id)
        .execute();
    const rows = await trx
      .selectFrom('rate_limit_members')
      .select('member_id')
      .where('key', '=', key)
      .where('heartbeat_ms', '>', t - beat.expiryMs)
      .execute();
    // Sorted here, not by the database: one order whatever the collation.
    return rows.map((r) => r.member_id).sort();
  }

  return {
    async heartbeat(key, member, beat): Promise<ShareState> {
      return database.db.transaction().execute(async (trx) => {
        // "Now" after the lock: a change written after this read starts after now + delay.
        const row = await lockedRow(trx, key, beat.intervalMs);
        const t = await readNow(trx);
        const live = await liveMembers(trx, key, member, beat, t);
        const today = Math.floor(t / DAY_MS);
        const dayCount = (Number(row.day) === today ? Number(row.day_count) : 0) + beat.used;
        const latest = parseList(row.members);
        let state = stateOf(row, t, dayCount);
        // One change at a time: a pending one starts first (members already rely on it).
        if (Number(row.since_ms) <= t && !sameList(latest, live)) {
          // Nobody but this member holds or gets slots: the change may start now.
          const alone = [...latest, ...live].every((id) => id === member.id);
          const next: ShareList = {
            members: live,
            sinceMs: alone ? t : t + beat.switchDelayMs,
            intervalMs: beat.intervalMs,
          };
          state = { ...state, previous: state.current, current: next };
          await trx
            .deleteFrom('rate_limit_members')
            .where('key', '=', key)
            .where('heartbeat_ms', '<=', t - beat.expiryMs)
            .execute();
        }
        await trx
          .updateTable('rate_limit_shares')
          .set({
            members: JSON.stringify(state.current.members),
            since_ms: state.current.sinceMs,
            interval_ms: state.current.intervalMs,
            previous: JSON.stringify(state.previous.members),
            previous_since_ms: state.previous.sinceMs,
            previous_interval_ms: state.previous.intervalMs,
            day: today,
            day_count: dayCount,
          })
          .where('key', '=', key)
          .execute();
        return state;
      });
    },

    async pause(key, pauseMs): Promise<void> {
      await database.db.transaction().execute(async (trx) => {
        const t = await readNow(trx);
        await trx
          .updateTable('rate_limit_shares')
          .set((eb) => ({
            paused_until_ms: sql<number>`case when ${eb.ref('paused_until_ms')} > ${t + pauseMs} then ${eb.ref('paused_until_ms')} else ${t + pauseMs} end`,
          }))
          .where('key', '=', key)
          .execute();
      });
    },
  };
}

function stateOf(row: RateLimitSharesTable, t: number, usedToday: number): ShareState {
  return {
    nowMs: t,
    current: {
      members: parseList(row.members),
      sinceMs: Number(row.since_ms),
      intervalMs: Number(row.interval_ms),
    },
    previous: {
      members: parseList(row.previous),
      sinceMs: Number(row.previous_since_ms),
      intervalMs: Number(row.previous_interval_ms),
    },
    pausedUntilMs: Number(row.paused_until_ms),
    usedToday,
  };
}

function parseList(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.map(String) : [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
