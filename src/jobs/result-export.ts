import type { Writable } from 'node:stream';
import type { Selectable } from 'kysely';
import type { AmazonProduct } from '../amazon/product.js';
import { findMarketplace } from '../amazon/marketplaces.js';
import { providerLabel, type AmazonSource } from '../amazon/readiness.js';
import { chainOf, formatOutcomes, type ProviderOutcome } from './provider-chain.js';
import { describeRejection } from './rejection-text.js';
import { fromJson } from '../db/dialect.js';
import type { ResultsTable } from '../db/schema.js';
import {
  writeCsv,
  writeXlsx,
  type ResultRow,
  type ResultTable,
  writeJsonLines,
  type Cell,
} from '../files/index.js';
import type { JobsContext } from './context.js';
import type { StoredDetection } from './create-job.js';
import { getJob, type Job } from './jobs-repository.js';
import {
  inputDecimalSeparator,
  withDecimalComma,
  type DecimalChoice,
} from './decimal-separator.js';

export const RESULT_FORMATS = ['csv', 'xlsx', 'jsonl'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** Columns appended to the user's own, per marketplace (suffixed `_fr`, `_de` when several). */
export const RESULT_COLUMNS = [
  'status',
  'asin',
  // The best candidate when a person must decide (status `to_review`); `asin` is then empty.
  'proposed_asin',
  'match_type',
  'confidence',
  'title',
  'brand',
  'price',
  'currency',
  'category',
  'rating',
  'review_count',
  'availability',
  'sales_rank',
  'detail_page_url',
  'image_url',
  'other_asins',
  'reasons',
  'error',
  // Where the answer came from: the provider (`creators (emulator)` in the demo), or `cache`,
  // `rule`, `import` when no request was made for it.
  'provider',
] as const;

const PAGE = 1000;

/**
 * The job's result as a table: the user's rows in their order with the mapping columns appended
 * per marketplace. Read page by page (keyset on row number), so it streams at any size and can
 * be produced while the job runs (pending units show `pending`).
 */
export async function jobResultTable(
  ctx: JobsContext,
  job: Job,
  stop?: AbortSignal,
): Promise<ResultTable> {
  const detection = await storedDetection(ctx, job.id);
  const suffixes = job.marketplaces.map((m) =>
    job.marketplaces.length > 1 ? `_${findMarketplace(m)?.countryCode ?? m}` : '',
  );
  const columns = chainedColumns(job);
  const extraColumns = suffixes.flatMap((s) => columns.map((c) => `${c}${s}`));
  return { columns: detection.columnNames, extraColumns, rows: resultRows(ctx, job, stop) };
}

/**
 * The rows, page by page, until `stop` (the client went away): reading and formatting the rest of
 * a 100,000-result file nobody receives took seconds of the server's time after a cancelled
 * download, and slowed every screen meanwhile (bench/web-review-large.bench.ts).
 */
async function* resultRows(
  ctx: JobsContext,
  job: Job,
  stop?: AbortSignal,
): AsyncGenerator<ResultRow> {
  const { db } = ctx.database;
  const provider = job.provider
    ? providerLabel({ provider: job.provider.name, source: job.provider.source as AmazonSource })
    : null;
  const chained = chainedColumns(job).length > RESULT_COLUMNS.length;
  const labelOf = (unit: Selectable<ResultsTable> | undefined): string | null =>
    chained && unit?.provider && job.provider
      ? providerLabel({ provider: unit.provider, source: job.provider.source as AmazonSource })
      : provider;
  let after = -1;
  for (;;) {
    if (stop?.aborted) return;
    const rows = await db
      .selectFrom('code2asin_rows')
      .select(['row_number', 'gtin', 'valid', 'reason', 'raw_code', 'cells'])
      .where('job_id', '=', job.id)
      .where('row_number', '>', after)
      .orderBy('row_number')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    // SQLite answers synchronously: without a turn of the event loop between pages, a large
    // file was written in one run of promise callbacks — no byte left (Node sends the headers
    // on a later tick) and no other request was answered until the whole file was built.
    await new Promise<void>((resolve) => setImmediate(resolve));
    after = rows[rows.length - 1]!.row_number;
    const gtins = [...new Set(rows.map((r) => r.gtin).filter((g): g is string => g !== null))];
    const units =
      gtins.length === 0
        ? []
        : await db
            .selectFrom('code2asin_results')
            .selectAll()
            .where('job_id', '=', job.id)
            // Named so the unique (job, marketplace, GTIN) index serves each page; by job and
            // GTIN alone SQLite scanned the job's every unit per page of 1,000 rows (a 100,000-
            // result CSV: 16 s before its first byte, bench/web-review-large.bench.ts).
            .where('marketplace', 'in', job.marketplaces)
            .where('gtin', 'in', gtins)
            .execute();
    const byKey = new Map(units.map((u) => [`${u.marketplace}|${u.gtin}`, u]));
    for (const row of rows) {
      const extra = job.marketplaces.flatMap((m) =>
        row.valid
          ? withOutcomes(chained, row.gtin ? byKey.get(`${m}|${row.gtin}`) : undefined, labelOf)
          : [...invalidCells(row.reason, row.raw_code), ...(chained ? [null] : [])],
      );
      yield { cells: fromJson<Cell[]>(row.cells) ?? [], extra };
    }
  }
}

function unitCells(unit: Selectable<ResultsTable> | undefined, provider: string | null): Cell[] {
  if (!unit) return RESULT_COLUMNS.map((c) => (c === 'status' ? 'pending' : null));
  const p = fromJson<AmazonProduct>(unit.product);
  const status = unit.status === 'claimed' ? 'pending' : unit.status;
  const candidates = fromJson<{ asin: string; rejected?: boolean }[]>(unit.candidates) ?? [];
  const chosen = unit.asin ?? unit.proposed_asin;
  const others = candidates.filter((c) => c.asin !== chosen && !c.rejected).map((c) => c.asin);
  const values: Record<(typeof RESULT_COLUMNS)[number], Cell> = {
    status,
    asin: unit.asin,
    proposed_asin: unit.proposed_asin ?? null,
    match_type: unit.match_type,
    confidence: unit.confidence === null ? null : Math.round(unit.confidence * 1000) / 1000,
    title: p?.title ?? null,
    brand: p?.brand ?? null,
    price: p?.price ?? null,
    currency: p?.currency ?? null,
    category: p?.category ?? null,
    rating: p?.rating ?? null,
    review_count: p?.review_count ?? null,
    availability: p?.availability ?? null,
    sales_rank: p?.sales_rank ?? null,
    detail_page_url: p?.detail_page_url ?? null,
    image_url: p?.images[0] ?? null,
    other_asins: others.length > 0 ? others.join('|') : null,
    reasons: (fromJson<string[]>(unit.reasons) ?? []).join('|') || null,
    error: unit.error_message,
    provider: providerCell(unit, provider),
  };
  return RESULT_COLUMNS.map((c) => values[c]);
}

/**
 * Where a unit's answer came from: the job's provider (`creators (emulator)`), the same from an
 * earlier job (`…, cached`: the cache of one database only holds that database's answers), or
 * `rule` / `import` when no provider was asked.
 */
function providerCell(unit: Selectable<ResultsTable>, provider: string | null): Cell {
  if (unit.status === 'pending' || unit.status === 'claimed' || unit.source === null) return null;
  if (unit.source === 'api') return provider;
  if (unit.source === 'cache') return provider ? `${provider}, cached` : 'cache';
  return unit.source;
}

/**
 * A chained job's units say which provider answered (each its own) and, in `provider_outcomes`,
 * what every provider asked said (`spapi: not_found | keepa: found`).
 */
function withOutcomes(
  chained: boolean,
  unit: Selectable<ResultsTable> | undefined,
  labelOf: (unit: Selectable<ResultsTable> | undefined) => string | null,
): Cell[] {
  const cells = unitCells(unit, labelOf(unit));
  if (!chained) return cells;
  return [...cells, formatOutcomes(fromJson<ProviderOutcome[]>(unit?.provider_outcomes))];
}

/** The result columns of a job: with `provider_outcomes` when it names providers or enriches. */
function chainedColumns(job: Job): readonly string[] {
  const chain = chainOf(job.options);
  return chain.providers || chain.enrichWith
    ? [...RESULT_COLUMNS, 'provider_outcomes']
    : RESULT_COLUMNS;
}

function invalidCells(reason: string | null, raw: string | null): Cell[] {
  return RESULT_COLUMNS.map((c) =>
    c === 'status' ? 'invalid' : c === 'error' ? describeRejection(raw, reason) : null,
  );
}

async function storedDetection(ctx: JobsContext, jobId: string): Promise<StoredDetection> {
  const row = await ctx.database.db
    .selectFrom('code2asin_jobs')
    .select('detected_columns')
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
  return (
    fromJson<StoredDetection>(row.detected_columns) ?? {
      columnNames: ['code'],
      format: 'json',
      delimiter: null,
      encoding: null,
      hasHeader: true,
      columns: {},
    }
  );
}

/**
 * Writes the job's result file in a format, streamed; usable while the job runs. After `stop`,
 * no further page is read: the file ends short (its reader has gone).
 */
export async function writeJobResults(
  ctx: JobsContext,
  jobId: string,
  format: ResultFormat,
  out: Writable,
  owner?: string | null,
  decimal: DecimalChoice = 'auto',
  stop?: AbortSignal,
): Promise<{ rows: number }> {
  const job = await getJob(ctx.database.db, jobId, owner);
  const table = await jobResultTable(ctx, job, stop);
  const detection = await storedDetection(ctx, job.id);
  // XLSX and JSON hold numbers as numbers; only delimited text writes a decimal separator.
  if (format === 'xlsx') return writeXlsx(table, out, { textColumns: codeColumn(detection) });
  if (format === 'jsonl') return writeJsonLines(table, out);
  const comma =
    decimal === 'comma' ||
    (decimal === 'auto' && (await inputDecimalSeparator(ctx.database.db, job.id)) === ',');
  // A comma decimal in a comma-delimited file is quoted by the writer, so it stays one cell.
  return writeCsv(comma ? withDecimalComma(table) : table, out, {
    delimiter: detection.delimiter ?? ',',
  });
}

function codeColumn(d: StoredDetection): number[] {
  const code = d.columns.code as { index?: number } | undefined;
  return typeof code?.index === 'number' ? [code.index] : [];
}
