import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/** The outcomes the progress chart counts (a resolved unit, as last written). */
export const CHART_OUTCOMES = ['found', 'to_review', 'not_found', 'error'] as const;

/**
 * What a tile tells apart about one unit, as SQL over the unit's columns (`p` is the row prefix:
 * `new.`/`old.` in a SQLite row trigger, empty over a PostgreSQL transition table). A claimed
 * unit counts as pending, so claims and lease sweeps change no count and write nothing.
 */
function tileDims(p: string) {
  const withAsin = `${p}asin is not null`;
  return {
    status: `case when ${p}status = 'claimed' then 'pending' else ${p}status end`,
    match_type: `coalesce(${p}match_type, '')`,
    with_asin: `case when ${withAsin} then 1 else 0 end`,
    with_images: `case when ${withAsin} and ${p}has_images = 1 then 1 else 0 end`,
    with_price: `case when ${withAsin} and ${p}has_price = 1 then 1 else 0 end`,
    confidence_sum: `case when ${withAsin} and ${p}confidence is not null then ${p}confidence else 0 end`,
    confidence_n: `case when ${withAsin} and ${p}confidence is not null then 1 else 0 end`,
  };
}

const TILE_KEY = ['status', 'match_type', 'with_asin', 'with_images', 'with_price'] as const;
const TILE_COLUMNS = [...TILE_KEY, 'n', 'confidence_sum', 'confidence_n'] as const;
const OUTCOME_LIST = CHART_OUTCOMES.map((o) => `'${o}'`).join(', ');

/** Whole seconds since the epoch of a unit's `updated_at` (the chart's finest time). */
function atSecond(kind: 'sqlite' | 'postgres', p: string) {
  return kind === 'sqlite'
    ? `unixepoch(${p}updated_at)`
    : `floor(extract(epoch from ${p}updated_at))::bigint`;
}

/** `select` of one unit's tile dimensions with `sign` (+1 / -1) from `from` (PostgreSQL). */
function pgTileRows(from: string, sign: 1 | -1) {
  const d = tileDims('');
  return `select job_id, ${TILE_KEY.map((k) => `${d[k]} as ${k}`).join(', ')}, ${sign} as n,
    ${sign} * (${d.confidence_sum}) as confidence_sum, ${sign} * (${d.confidence_n}) as confidence_n
    from ${from}`;
}

function pgChartRows(from: string, sign: 1 | -1) {
  return `select job_id, status, ${atSecond('postgres', '')} as at_second, ${sign} as n
    from ${from} where status in (${OUTCOME_LIST})`;
}

/**
 * The body of one PostgreSQL statement trigger: the statement's units grouped into count deltas
 * (+1 per new row, -1 per old row), appended; groups that cancel out (a claim, a rewrite of the
 * same outcome) write nothing. `DELETE`: a deleted job's counts go with it.
 */
function pgTriggerBody(op: 'insert' | 'update' | 'delete') {
  const sources = (rows: (from: string, sign: 1 | -1) => string) =>
    [op !== 'delete' ? rows('new_units', 1) : null, op !== 'insert' ? rows('old_units', -1) : null]
      .filter((s) => s !== null)
      .join(' union all ');
  const live =
    op === 'delete' ? 'where exists (select 1 from code2asin_jobs j where j.id = d.job_id)' : '';
  const gone = (table: string) => `delete from ${table} c
     where c.job_id in (select distinct job_id from old_units)
       and not exists (select 1 from code2asin_jobs j where j.id = c.job_id);`;
  return `begin
    ${op === 'delete' ? gone('code2asin_job_tiles') + gone('code2asin_job_progress') : ''}
    insert into code2asin_job_tiles (job_id, ${TILE_COLUMNS.join(', ')})
    select job_id, ${TILE_KEY.join(', ')}, sum(n), sum(confidence_sum), sum(confidence_n)
      from (${sources(pgTileRows)}) d ${live}
     group by job_id, ${TILE_KEY.join(', ')}
    having sum(n) <> 0 or sum(confidence_n) <> 0 or sum(confidence_sum) <> 0;
    insert into code2asin_job_progress (job_id, status, at_second, n)
    select job_id, status, at_second, sum(n)
      from (${sources(pgChartRows)}) d ${live}
     group by job_id, status, at_second
    having sum(n) <> 0;
    return null;
  end`;
}

async function createPostgresTriggers(db: Kysely<unknown>): Promise<void> {
  for (const op of ['insert', 'update', 'delete'] as const) {
    const fn = `code2asin_count_results_${op}`;
    await sql
      .raw(`create function ${fn}() returns trigger language plpgsql as $$ ${pgTriggerBody(op)} $$`)
      .execute(db);
    const referencing = [
      op !== 'insert' ? 'old table as old_units' : '',
      op !== 'delete' ? 'new table as new_units' : '',
    ].join(' ');
    await sql
      .raw(
        `create trigger ${fn} after ${op} on code2asin_results
         referencing ${referencing} for each statement execute function ${fn}()`,
      )
      .execute(db);
  }
  await sql
    .raw(
      `create function code2asin_count_jobs_delete() returns trigger language plpgsql as $$ begin
        delete from code2asin_job_tiles where job_id in (select id from old_jobs);
        delete from code2asin_job_progress where job_id in (select id from old_jobs);
        return null;
      end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger code2asin_count_jobs_delete after delete on code2asin_jobs
       referencing old table as old_jobs for each statement execute function code2asin_count_jobs_delete()`,
    )
    .execute(db);
}

/** SQLite (one writer): each row trigger adds its ±1 to the job's one row per key (an upsert). */
function sqliteTileUpsert(p: 'new.' | 'old.', sign: 1 | -1, when = 'true') {
  const d = tileDims(p);
  return `insert into code2asin_job_tiles (job_id, ${TILE_COLUMNS.join(', ')})
    select ${p}job_id, ${TILE_KEY.map((k) => d[k]).join(', ')}, ${sign},
      ${sign} * (${d.confidence_sum}), ${sign} * (${d.confidence_n})
    where ${when}
    on conflict (job_id, ${TILE_KEY.join(', ')}) do update set n = n + excluded.n,
      confidence_sum = confidence_sum + excluded.confidence_sum,
      confidence_n = confidence_n + excluded.confidence_n;`;
}

function sqliteChartUpsert(p: 'new.' | 'old.', sign: 1 | -1, when = 'true') {
  return `insert into code2asin_job_progress (job_id, status, at_second, n)
    select ${p}job_id, ${p}status, ${atSecond('sqlite', p)}, ${sign}
    where ${p}status in (${OUTCOME_LIST}) and ${when}
    on conflict (job_id, status, at_second) do update set n = n + excluded.n;`;
}

async function createSqliteTriggers(db: Kysely<unknown>): Promise<void> {
  // One trigger per event: any AFTER UPDATE trigger, even one whose WHEN is false, makes SQLite
  // build a unit's whole old and new rows (computed columns included), the main cost measured
  // (bench/job-counts-writes.bench.ts). Cheap tests first: a claim or a lease sweep
  // (pending ↔ claimed) changes no count and runs no statement.
  const [n, o] = [tileDims('new.'), tileDims('old.')];
  const tileChanged = [
    `(${o.status}) is not (${n.status})`,
    ...['match_type', 'asin', 'confidence', 'product'].map((c) => `old.${c} is not new.${c}`),
  ].join(' or ');
  const outcome = (p: string) => `${p}status in (${OUTCOME_LIST})`;
  const chartChanged = `(${outcome('old.')} or ${outcome('new.')})
    and (old.status is not new.status or ${atSecond('sqlite', 'old.')} is not ${atSecond('sqlite', 'new.')})`;
  const live = 'exists (select 1 from code2asin_jobs j where j.id = old.job_id)';
  const both = (p: 'new.' | 'old.', sign: 1 | -1) =>
    sqliteTileUpsert(p, sign) + sqliteChartUpsert(p, sign);
  const triggers = [
    `create trigger code2asin_count_results_insert after insert on code2asin_results
     begin ${both('new.', 1)} end`,
    `create trigger code2asin_count_results_update after update on code2asin_results
     when (${tileChanged}) or (${chartChanged}) begin
       ${sqliteTileUpsert('old.', -1, `(${tileChanged})`)}
       ${sqliteTileUpsert('new.', 1, `(${tileChanged})`)}
       ${sqliteChartUpsert('old.', -1, `(${chartChanged})`)}
       ${sqliteChartUpsert('new.', 1, `(${chartChanged})`)}
     end`,
    `create trigger code2asin_count_results_delete after delete on code2asin_results
     when ${live} begin ${both('old.', -1)} end`,
    `create trigger code2asin_count_jobs_delete after delete on code2asin_jobs begin
       delete from code2asin_job_tiles where job_id = old.id;
       delete from code2asin_job_progress where job_id = old.id;
     end`,
  ];
  for (const t of triggers) await sql.raw(t).execute(db);
}

/**
 * Drops the triggers that keep the counts (the migration's `down`; also
 * bench/job-counts-writes.bench.ts, which measures what they cost a write).
 */
export async function dropJobCountTriggers(db: Kysely<unknown>, kind: 'sqlite' | 'postgres') {
  const drops =
    kind === 'postgres'
      ? [
          ...['insert', 'update', 'delete'].flatMap((op) => [
            `drop trigger code2asin_count_results_${op} on code2asin_results`,
            `drop function code2asin_count_results_${op}()`,
          ]),
          'drop trigger code2asin_count_jobs_delete on code2asin_jobs',
          'drop function code2asin_count_jobs_delete()',
        ]
      : [
          ...['insert', 'update', 'delete'].map((t) => `drop trigger code2asin_count_results_${t}`),
          'drop trigger code2asin_count_jobs_delete',
        ];
  for (const statement of drops) await sql.raw(statement).execute(db);
}

/** Every existing job's counts, from its units (one grouped pass at upgrade). */
async function backfill(db: Kysely<unknown>, kind: 'sqlite' | 'postgres'): Promise<void> {
  const d = tileDims('');
  await sql
    .raw(
      `insert into code2asin_job_tiles (job_id, ${TILE_COLUMNS.join(', ')})
       select job_id, ${TILE_KEY.map((k) => d[k]).join(', ')}, count(*),
         sum(${d.confidence_sum}), sum(${d.confidence_n})
         from code2asin_results group by job_id, ${TILE_KEY.map((k) => d[k]).join(', ')}`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into code2asin_job_progress (job_id, status, at_second, n)
       select job_id, status, ${atSecond(kind, '')}, count(*) from code2asin_results
        where status in (${OUTCOME_LIST}) group by job_id, status, ${atSecond(kind, '')}`,
    )
    .execute(db);
}

/**
 * Counts kept per job, so that the job page's tiles and its progress chart read a few rows
 * whatever the job's size (issue 14: one pass over a 100,000-result job's index entries per call
 * took 39–234 ms, ×16–34 a 1,000-result job's). The database keeps them itself, by triggers on
 * `code2asin_results` (no writer — worker, claim, sweep, decision, undo, retry, ingestion,
 * delete — has to remember them):
 * - `code2asin_job_tiles`: units by (tile status, match type, has ASIN, with images, with price),
 *   with the sum and number of the confidences of units with an ASIN;
 * - `code2asin_job_progress`: resolved units by (outcome, whole second of `updated_at`).
 * A job's figure is the sum of its rows. PostgreSQL appends one grouped delta per statement
 * (statement triggers over transition tables): concurrent workers insert, never update a shared
 * row, so the claim path gains no lock wait and no lock order; readers fold a job's deltas when
 * they pile up (`foldJobCounts`). SQLite has one writer: its row triggers add to the job's one row
 * per key (an upsert), so nothing piles up. Deleting a job deletes its counts.
 */
export function jobCountsMigration(d: DialectAdapter) {
  // SQLite: one row per key, in one B-tree keyed by it (the upserts' conflict target: a write
  // touches one tree per table, not a table and its index). PostgreSQL: the job's deltas, by job.
  const single = d.kind === 'sqlite';
  const keyed = <T extends CreateTableBuilder<string, string>>(
    b: T,
    name: string,
    key: string[],
  ) => (single ? b.addPrimaryKeyConstraint(name, key as never).modifyEnd(sql`without rowid`) : b);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('code2asin_job_tiles')
        .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('match_type', 'varchar(20)', (c) => c.notNull())
        .addColumn('with_asin', 'integer', (c) => c.notNull())
        .addColumn('with_images', 'integer', (c) => c.notNull())
        .addColumn('with_price', 'integer', (c) => c.notNull())
        .addColumn('n', d.bigintType, (c) => c.notNull())
        .addColumn('confidence_sum', d.realType, (c) => c.notNull())
        .addColumn('confidence_n', d.bigintType, (c) => c.notNull())
        .$call((b) => keyed(b, 'code2asin_job_tiles_key', ['job_id', ...TILE_KEY]))
        .execute();
      await db.schema
        .createTable('code2asin_job_progress')
        .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('at_second', d.bigintType, (c) => c.notNull())
        .addColumn('n', d.bigintType, (c) => c.notNull())
        .$call((b) => keyed(b, 'code2asin_job_progress_key', ['job_id', 'status', 'at_second']))
        .execute();
      if (!single) {
        for (const table of ['code2asin_job_tiles', 'code2asin_job_progress'])
          await db.schema.createIndex(`${table}_job`).on(table).column('job_id').execute();
      }
      await backfill(db, d.kind);
      if (single) await createSqliteTriggers(db);
      else await createPostgresTriggers(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await dropJobCountTriggers(db, d.kind);
      await db.schema.dropTable('code2asin_job_progress').execute();
      await db.schema.dropTable('code2asin_job_tiles').execute();
    },
  };
}
