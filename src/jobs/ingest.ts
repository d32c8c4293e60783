import type { Insertable, Kysely, Transaction } from 'kysely';
import { isValidAsin, parseCode } from '../codes/index.js';
import type { ParsedCode } from '../codes/types.js';
import { bulkInsert } from '../db/bulk-insert.js';
import { nowIso, toJson, type DialectKind } from '../db/dialect.js';
import type { DB, ResultsTable, RowsTable } from '../db/schema.js';
import type { JobsContext } from './context.js';
import { getJob, type Job } from './jobs-repository.js';
import { buildPreflight } from './preflight.js';

/** A cell as read from a file: text, a raw number (numeric spreadsheet cell) or empty. */
export type Cell = string | number | null;

/** Rows of the job's input with the columns chosen by detection (0-based indexes). */
export interface IngestSource {
  header: string[] | null;
  rows: AsyncIterable<{ rowNumber: number; cells: Cell[] }>;
  codeColumn: number;
  /** Direct import (`use_amazon_api: false`): the column holding the ASIN. */
  asinColumn?: number | null;
  titleColumn?: number | null;
  brandColumn?: number | null;
  quantityColumn?: number | null;
  /** What detection chose and why, stored in the pre-flight report. */
  detection?: Record<string, unknown> | null;
}

/** Rows per transaction: large enough to amortise commits, small enough to keep memory flat. */
const BATCH_ROWS = 2000;

/**
 * Streams the input into `code2asin_rows` and one unit of work per (marketplace, distinct GTIN)
 * into `code2asin_results`, in batched transactions; then resolves what needs no request
 * (matching rules, cache) and stores the pre-flight report. Duplicates are found by the unique
 * index, not in memory, so memory stays flat whatever the number of codes.
 */
export async function ingestJob(
  ctx: JobsContext,
  jobId: string,
  source: IngestSource,
): Promise<Job> {
  const job = await getJob(ctx.database.db, jobId);
  const direct = job.options.use_amazon_api === false;
  let batch: { rowNumber: number; cells: Cell[] }[] = [];
  for await (const row of source.rows) {
    batch.push(row);
    if (batch.length >= BATCH_ROWS) {
      await insertBatch(ctx.database.db, ctx.database.kind, job, source, batch, direct);
      batch = [];
    }
  }
  if (batch.length > 0)
    await insertBatch(ctx.database.db, ctx.database.kind, job, source, batch, direct);
  const report = await buildPreflight(ctx, job, source.detection ?? null);
  await ctx.createJobLog(job.id, 'INFO', 'Input read', { ...report, detection: undefined });
  return getJob(ctx.database.db, job.id);
}

async function insertBatch(
  db: Kysely<DB>,
  kind: DialectKind,
  job: Job,
  source: IngestSource,
  batch: { rowNumber: number; cells: Cell[] }[],
  direct: boolean,
): Promise<void> {
  const now = nowIso();
  const rows: Insertable<RowsTable>[] = [];
  const units: Insertable<ResultsTable>[] = [];
  for (const { rowNumber, cells } of batch) {
    const raw = cells[source.codeColumn] ?? null;
    const parsed = parseCode(raw, { numericCell: typeof raw === 'number' });
    rows.push(toRow(job.id, rowNumber, raw, parsed, cells));
    if (!parsed.valid) continue;
    const context = rowContext(source, cells);
    for (const marketplace of job.marketplaces) {
      const unit: Insertable<ResultsTable> = {
        job_id: job.id,
        marketplace,
        gtin: parsed.gtin14,
        code: parsed.code,
        code_type: parsed.type,
        context: context ? toJson(context) : null,
        status: 'pending',
        created_at: now,
        updated_at: now,
      };
      units.push(direct ? importedUnit(unit, cells[source.asinColumn ?? -1] ?? null) : unit);
    }
  }
  await db.transaction().execute(async (trx) => {
    await insertRows(trx, kind, rows);
    await insertUnits(trx, kind, units);
  });
}

function toRow(
  jobId: string,
  rowNumber: number,
  raw: Cell,
  parsed: ParsedCode,
  cells: Cell[],
): Insertable<RowsTable> {
  return {
    job_id: jobId,
    row_number: rowNumber,
    raw_code: raw === null ? null : String(raw),
    gtin: parsed.valid ? parsed.gtin14 : null,
    code: parsed.valid ? parsed.code : null,
    code_type: parsed.valid ? parsed.type : null,
    valid: parsed.valid ? 1 : 0,
    reason: parsed.valid ? null : parsed.reason,
    flags: parsed.valid && parsed.flags.length > 0 ? toJson(parsed.flags) : null,
    cells: toJson(cells),
  };
}

function rowContext(source: IngestSource, cells: Cell[]): Record<string, unknown> | null {
  const pick = (i: number | null | undefined) =>
    i === null || i === undefined ? null : (cells[i] ?? null);
  const title = pick(source.titleColumn);
  const brand = pick(source.brandColumn);
  const qty = pick(source.quantityColumn);
  const quantity = qty === null ? null : Number(String(qty).replace(',', '.'));
  if (title === null && brand === null && (quantity === null || !Number.isFinite(quantity)))
    return null;
  return {
    title: title === null ? null : String(title),
    brand: brand === null ? null : String(brand),
    quantity: quantity !== null && Number.isFinite(quantity) ? quantity : null,
  };
}

/** A unit of a direct import: resolved from the file's ASIN column, no request. */
function importedUnit(unit: Insertable<ResultsTable>, asinCell: Cell): Insertable<ResultsTable> {
  const asin = asinCell === null ? '' : String(asinCell).trim().toUpperCase();
  if (isValidAsin(asin)) {
    return {
      ...unit,
      status: 'found',
      source: 'import',
      asin,
      match_type: 'manual',
      confidence: 1,
      reasons: toJson(['imported']),
    };
  }
  return {
    ...unit,
    status: 'error',
    source: 'import',
    error_class: 'invalid_data',
    error_message: asin
      ? `"${asin}" is not an ASIN (10 characters: B0 followed by 8 letters or digits, or an ISBN-10); fix the ASIN column.`
      : 'The ASIN column is empty for this code; fill it or import with use_amazon_api=true.',
  };
}

const ROW_COLUMNS = [
  'job_id',
  'row_number',
  'raw_code',
  'gtin',
  'code',
  'code_type',
  'valid',
  'reason',
  'flags',
  'cells',
] as const;
const UNIT_COLUMNS = [
  'job_id',
  'marketplace',
  'gtin',
  'code',
  'code_type',
  'context',
  'status',
  'source',
  'asin',
  'match_type',
  'confidence',
  'reasons',
  'error_class',
  'error_message',
  'created_at',
  'updated_at',
] as const;

/** The first row of a code wins: later duplicates hit the unique index and are skipped. */
async function insertUnits(
  trx: Transaction<DB>,
  kind: DialectKind,
  units: Insertable<ResultsTable>[],
): Promise<void> {
  const values = units.map((u) =>
    UNIT_COLUMNS.map((c) => (u as Record<string, unknown>)[c] ?? null),
  );
  await bulkInsert(
    trx as unknown as Kysely<unknown>,
    kind,
    'code2asin_results',
    UNIT_COLUMNS,
    values,
    {
      onConflictDoNothing: ['job_id', 'marketplace', 'gtin'],
    },
  );
}

async function insertRows(
  trx: Transaction<DB>,
  kind: DialectKind,
  rows: Insertable<RowsTable>[],
): Promise<void> {
  const values = rows.map((r) => ROW_COLUMNS.map((c) => (r as Record<string, unknown>)[c] ?? null));
  await bulkInsert(trx as unknown as Kysely<unknown>, kind, 'code2asin_rows', ROW_COLUMNS, values);
}
