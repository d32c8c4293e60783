import { sql, type RawBuilder } from 'kysely';
import type {
  Pace,
  RateLimitStore,
  SlotGrant,
  SlotReservation,
} from '../amazon/rate-limit-store.js';
import type { Database } from './database.js';
import type { RateLimitsTable } from './schema.js';

const DAY_MS = 86_400_000;

export interface DatabaseRateLimitStoreOptions {
  /**
   * Time source (epoch ms). Default: the database's clock, read inside each statement, so every
   * process (on any machine) and every lock wait agree on "now". Tests pass a manual clock.
   */
  now?: () => number;
}

type Row = Pick<
  RateLimitsTable,
  'granted_ms' | 'slot_ms' | 'slot_granted' | 'paused_until_ms' | 'day' | 'day_count' | 'updated_ms'
>;

type Sql = RawBuilder<unknown>;

const RETURNED = sql.raw(
  'granted_ms, slot_ms, slot_granted, paused_until_ms, day, day_count, updated_ms',
);

/**
 * The shared limiter's store in `rate_limits`, one row per credential. Each reservation, grant
 * and pause is one statement (`INSERT … ON CONFLICT DO UPDATE` or `UPDATE`, `RETURNING`): atomic
 * on both dialects without a transaction (PostgreSQL locks the row before computing the update,
 * SQLite has one writer at a time), one round trip, and "now" is read after the lock wait, so a
 * statement that waited for another process's is never dated before it.
 *
 * The database's clock, `greatest` and the casts come from the dialect seam (`dialect.ts`).
 */
export function createDatabaseRateLimitStore(
  database: Database,
  options: DatabaseRateLimitStoreOptions = {},
): RateLimitStore {
  const { dialect } = database;
  const num = (v: number): Sql => dialect.real(v);
  const now = (): Sql => (options.now ? num(options.now()) : dialect.epochMsNow());
  const greatest = (...xs: Sql[]): Sql => dialect.greatest(...xs);
  const dayOf = (t: Sql): Sql => dialect.floorDiv(t, DAY_MS);
  const col = (name: keyof RateLimitsTable): Sql => sql.ref(`rate_limits.${name}`);
  const run = async (query: RawBuilder<Row>, key: string): Promise<Row> => {
    const row = (await query.execute(database.db)).rows[0];
    if (!row) throw new Error(`rate_limits has no row for credential ${key}`);
    return row;
  };

  /** The terms every statement needs, for one pace at one "now". */
  const terms = (p: Pace) => {
    const t = now();
    const today = dayOf(t);
    return {
      t,
      today,
      interval: num(p.intervalMs),
      // With a burst, a slot may come this long before the theoretical arrival time.
      span: num((p.burst - 1) * p.intervalMs),
      start: num(p.startMarginMs),
      /** The previous grant, whichever process made it, and the gap this caller wants after it. */
      afterLast: sql`coalesce(${col('granted_ms')}, 0) + ${num(p.minGapMs - (p.burst - 1) * p.intervalMs)}`,
      countOk: sql`(${col('day')} <> ${today} or ${col('day_count')} < ${num(p.tpd)})`,
      /** Idle: nothing reserved ahead nor paused, so this slot may start a burst. */
      idle: sql`(${t} >= ${col('tat_ms')} and ${t} >= ${col('paused_until_ms')})`,
    };
  };

  return {
    async reserve(key, p): Promise<SlotReservation> {
      const { t, today, interval, span, start, countOk, idle, afterLast } = terms(p);
      const slot = greatest(
        t,
        sql`${col('tat_ms')} - ${span}`,
        sql`${col('grant_tat_ms')} - ${span}`,
        afterLast,
        col('paused_until_ms'),
      );
      // After idle, the slots after this one count from its start margin (a burst's first
      // request arrives late); else the schedule goes on from where it is.
      const tat = sql`case when ${idle} then ${t} + ${start} else ${greatest(col('tat_ms'), slot)} end + ${interval}`;
      // A slot that is now is also this request's grant (late by up to the margin: catch up).
      const grantedNow = sql`(${countOk} and ${slot} <= ${t})`;
      const grantTat = sql`case when ${idle} then ${t} + ${start} else ${greatest(col('grant_tat_ms'), sql`${t} - ${num(p.marginMs)}`)} end + ${interval}`;
      const row = await run(
        sql<Row>`
        insert into rate_limits
          (key, tat_ms, grant_tat_ms, granted_ms, slot_ms, slot_granted, paused_until_ms, day, day_count, updated_ms)
        values (${key}, ${t} + ${start} + ${interval}, ${t} + ${start} + ${interval}, ${t}, ${t}, 1, 0, ${today}, 1, ${t})
        on conflict (key) do update set
          tat_ms = case when ${countOk} then ${tat} else ${col('tat_ms')} end,
          grant_tat_ms = case when ${grantedNow} then ${grantTat} else ${col('grant_tat_ms')} end,
          granted_ms = case when ${grantedNow} then ${t} else ${col('granted_ms')} end,
          slot_ms = case when ${countOk} then ${slot} else null end,
          slot_granted = case when ${grantedNow} then 1 else 0 end,
          day_count = case
            when ${col('day')} = ${today} then ${col('day_count')} + case when ${countOk} then 1 else 0 end
            else 1
          end,
          day = ${today},
          updated_ms = ${t}
        returning ${RETURNED}`,
        key,
      );
      return reservationOf(row);
    },

    async grant(key, p): Promise<SlotGrant> {
      const { t, today, interval, span, countOk, afterLast } = terms(p);
      // No earlier than the grants before allow (any process's, late ones included), nor in a pause.
      const g = greatest(
        t,
        sql`${col('grant_tat_ms')} - ${span}`,
        afterLast,
        col('paused_until_ms'),
      );
      const grantTat = sql`${greatest(col('grant_tat_ms'), sql`${g} - ${num(p.marginMs)}`)} + ${interval}`;
      // Reservations follow the grants: a late grant moves every slot not yet handed out.
      const base = greatest(col('tat_ms'), grantTat);
      const common = sql`grant_tat_ms = ${grantTat}, granted_ms = ${g}, slot_granted = 0, updated_ms = ${t}`;
      const returning = sql`returning ${RETURNED}`;
      if (!p.reserveNext) {
        const row = await run(
          sql<Row>`update rate_limits set ${common}, tat_ms = ${base}, slot_ms = null
            where key = ${key} ${returning}`,
          key,
        );
        return { waitMs: waitOf(row), next: null };
      }
      const next = greatest(g, sql`${base} - ${span}`, col('paused_until_ms'));
      const row = await run(
        sql<Row>`update rate_limits set ${common},
          tat_ms = case when ${countOk} then ${greatest(base, next)} + ${interval} else ${base} end,
          slot_ms = case when ${countOk} then ${next} else null end,
          day_count = case
            when ${col('day')} = ${today} then ${col('day_count')} + case when ${countOk} then 1 else 0 end
            else 1
          end,
          day = ${today}
          where key = ${key} ${returning}`,
        key,
      );
      return { waitMs: waitOf(row), next: reservationOf(row) };
    },

    async pause(key, p): Promise<void> {
      const t = now();
      const until = sql`${t} + ${num(p.pauseMs)}`;
      // No burst right after the pause: the first slot is one interval after its end.
      const after = sql`${until} + ${num(p.intervalMs)}`;
      await sql`
        insert into rate_limits
          (key, tat_ms, grant_tat_ms, granted_ms, slot_ms, slot_granted, paused_until_ms, day, day_count, updated_ms)
        values (${key}, ${after}, ${after}, null, null, 0, ${until}, ${dayOf(t)}, 0, ${t})
        on conflict (key) do update set
          paused_until_ms = ${greatest(col('paused_until_ms'), until)},
          tat_ms = ${greatest(col('tat_ms'), after)},
          grant_tat_ms = ${greatest(col('grant_tat_ms'), after)},
          updated_ms = ${t}`.execute(database.db);
    },
  };
}

// PostgreSQL reads its clock at each place in a statement: "now" may trail a slot by
// microseconds, hence the floors at 0.
function waitOf(row: Row): number {
  return Math.max(0, Number(row.granted_ms) - Number(row.updated_ms));
}

/** The reservation a statement returned. */
function reservationOf(row: Row): SlotReservation {
  const at = Number(row.updated_ms);
  const usedToday = Number(row.day_count);
  if (row.slot_ms === null)
    return { granted: false, usedToday, retryAfterMs: (Number(row.day) + 1) * DAY_MS - at };
  const grantedNow = Number(row.slot_granted) === 1;
  return {
    granted: true,
    grantedNow,
    delayMs: grantedNow ? 0 : Math.max(0, Number(row.slot_ms) - at),
    usedToday,
    pausedForMs: Math.max(0, Number(row.paused_until_ms) - at),
  };
}
