import { sql } from 'kysely';
import {
  supersedesTokenStatus,
  type QuotaCredential,
  type QuotaRecorder,
  type QuotaTokenStatus,
} from '../amazon/quota-recorder.js';
import type { Database } from './database.js';
import type { QuotaStatusTable, QuotaUsageTable } from './schema.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
/** Minutes of usage kept: today and yesterday whatever the time zone of the reader. */
const KEEP_MINUTES = 2 * DAY_MINUTES;

export interface QuotaStoreOptions {
  /** Epoch ms (tests pass a manual clock). */
  now?: () => number;
  /** Buffered figures are written this often (default 1000 ms). */
  flushMs?: number;
}

export interface QuotaStoreOptions {
  /** Epoch ms (tests pass a manual clock). */
  now?: () => number;
  /** Buffered figures are written this often (default 1000 ms). */
  flushMs?: number;
}

/** The figures of one credential as stored; `quota-dashboard.ts` turns them into the view. */
export interface StoredQuota {
  status: QuotaStatusTable;
  usage: Pick<QuotaUsageTable, 'minute' | 'requests' | 'throttles' | 'tokens'>[];
  /** The shared limiter's row (`rate_limits`), when this credential is shared. */
  shared: { day: number; dayCount: number; pausedUntilMs: number } | null;
}

export interface QuotaStore extends QuotaRecorder {
  /** Every credential with the usage of the last `minutes` minutes (default: since yesterday). */
  read(sinceMinute?: number): Promise<StoredQuota[]>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

interface Pending {
  credential: QuotaCredential;
  minutes: Map<number, { requests: number; throttles: number; tokens: number }>;
  status: (QuotaTokenStatus & { at: number }) | null;
}

/**
 * The quota dashboard's store. Recording is in memory and written every `flushMs` (one upsert per
 * credential and minute touched): a request never waits for it, and at 1 request per second it
 * costs one statement per second, not one per request. A process killed loses at most the last
 * second of figures, never a request.
 */
export function createDatabaseQuotaStore(
  database: Pick<Database, 'db'>,
  options: QuotaStoreOptions = {},
): QuotaStore {
  const now = options.now ?? Date.now;
  const flushMs = options.flushMs ?? 1000;
  let pending = new Map<string, Pending>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();

  const entry = (c: QuotaCredential): Pending => {
    let p = pending.get(c.key);
    if (!p) {
      p = { credential: c, minutes: new Map(), status: null };
      pending.set(c.key, p);
    }
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        void flush().catch(() => undefined);
      }, flushMs);
      timer.unref();
    }
    return p;
  };
  const bump = (c: QuotaCredential, what: 'requests' | 'throttles' | 'tokens', n = 1): void => {
    const minute = Math.floor(now() / MINUTE_MS);
    const p = entry(c);
    const m = p.minutes.get(minute) ?? { requests: 0, throttles: 0, tokens: 0 };
    m[what] += n;
    p.minutes.set(minute, m);
  };

  const writeOne = async (p: Pending, at: number): Promise<void> => {
    const c = p.credential;
    const s = p.status;
    const status = s
      ? {
          tokens_left: s.tokensLeft,
          refill_rate: s.refillRate,
          refill_at_ms: s.at + s.refillInMs,
          observed_ms: s.observedAtMs ?? s.at,
        }
      : { tokens_left: null, refill_rate: null, refill_at_ms: null, observed_ms: null };
    await database.db
      .insertInto('quota_status')
      .values({
        key: c.key,
        provider: c.provider,
        credential: c.credential,
        tps: c.tps,
        tpd: c.tpd,
        ...status,
        updated_ms: at,
      })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          provider: c.provider,
          credential: c.credential,
          tps: c.tps,
          tpd: c.tpd,
          ...(s ? newerStatusOnly() : {}),
          updated_ms: at,
        }),
      )
      .execute();
    for (const [minute, m] of p.minutes)
      await database.db
        .insertInto('quota_usage')
        .values({ key: c.key, minute, ...m })
        .onConflict((oc) =>
          oc.columns(['key', 'minute']).doUpdateSet({
            requests: sql`quota_usage.requests + ${m.requests}`,
            throttles: sql`quota_usage.throttles + ${m.throttles}`,
            tokens: sql`quota_usage.tokens + ${m.tokens}`,
          }),
        )
        .execute();
  };

  /** Writes the buffer; one write at a time, in order. */
  const flush = (): Promise<void> => {
    const batch = pending;
    pending = new Map();
    writing = writing.then(async () => {
      const at = now();
      for (const p of batch.values()) await writeOne(p, at);
      if (batch.size > 0)
        await database.db
          .deleteFrom('quota_usage')
          .where('minute', '<', Math.floor(at / MINUTE_MS) - KEEP_MINUTES)
          .execute();
    });
    return writing;
  };

  return {
    request: (c) => bump(c, 'requests'),
    throttle: (c) => bump(c, 'throttles'),
    tokens(c, status) {
      bump(c, 'tokens', status.tokensConsumed);
      const p = entry(c);
      if (supersedesTokenStatus(status, p.status)) p.status = { ...status, at: now() };
    },
    flush,
    async read(sinceMinute) {
      const since = sinceMinute ?? Math.floor(now() / MINUTE_MS) - DAY_MINUTES - 60;
      const statuses = await database.db
        .selectFrom('quota_status')
        .selectAll()
        .orderBy('key')
        .execute();
      if (statuses.length === 0) return [];
      const keys = statuses.map((s) => s.key);
      const usage = await database.db
        .selectFrom('quota_usage')
        .select(['key', 'minute', 'requests', 'throttles', 'tokens'])
        .where('key', 'in', keys)
        .where('minute', '>=', since)
        .execute();
      const shared = await database.db
        .selectFrom('rate_limits')
        .select(['key', 'day', 'day_count', 'paused_until_ms'])
        .where('key', 'in', keys)
        .execute();
      return statuses.map((status) => {
        const row = shared.find((r) => r.key === status.key);
        return {
          status: numeric(status),
          usage: usage
            .filter((u) => u.key === status.key)
            .map((u) => ({
              minute: Number(u.minute),
              requests: Number(u.requests),
              throttles: Number(u.throttles),
              tokens: Number(u.tokens),
            })),
          shared: row
            ? {
                day: Number(row.day),
                dayCount: Number(row.day_count),
                pausedUntilMs: Number(row.paused_until_ms),
              }
            : null,
        };
      });
    },
    async close() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await flush();
    },
  };
}

/**
 * The token status columns of an upsert, each kept as stored unless the new status is the later
 * one by the provider's clock (or, stamped the same millisecond, the lower balance): another
 * process may have written a later answer than the one this process flushes now. The rule is
 * `supersedesTokenStatus`, in SQL.
 */
function newerStatusOnly() {
  const newer = sql<boolean>`(quota_status.observed_ms is null
    or excluded.observed_ms > quota_status.observed_ms
    or (excluded.observed_ms = quota_status.observed_ms
        and excluded.tokens_left <= quota_status.tokens_left))`;
  const pick = (column: 'tokens_left' | 'refill_rate' | 'refill_at_ms' | 'observed_ms') =>
    sql<number>`case when ${newer} then ${sql.ref(`excluded.${column}`)} else ${sql.ref(
      `quota_status.${column}`,
    )} end`;
  return {
    tokens_left: pick('tokens_left'),
    refill_rate: pick('refill_rate'),
    refill_at_ms: pick('refill_at_ms'),
    observed_ms: pick('observed_ms'),
  };
}

/** PostgreSQL may hand back numeric columns as strings. */
function numeric(s: QuotaStatusTable): QuotaStatusTable {
  const n = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    ...s,
    tps: Number(s.tps),
    tpd: Number(s.tpd),
    tokens_left: n(s.tokens_left),
    refill_rate: n(s.refill_rate),
    refill_at_ms: n(s.refill_at_ms),
    observed_ms: n(s.observed_ms),
    updated_ms: Number(s.updated_ms),
  };
}
