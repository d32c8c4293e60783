import { parseCode } from '../codes/index.js';
import type { CodeFlag, CodeType, ParsedCode, RejectionReason } from '../codes/index.js';
import { openTable } from './open-table.js';
import type { OpenTableOptions, TableDetection } from './open-table.js';
import type { TableRow } from './table-row.js';

/** The verdict on one row's code, as `validate --json` prints it in `rows`. */
export interface ValidatedRow {
  row: number;
  raw: string;
  code: string | null;
  gtin14: string | null;
  type: CodeType | null;
  valid: boolean;
  reason: RejectionReason | null;
  /** What is wrong and what to do, for invalid codes. */
  message: string | null;
  flags: CodeFlag[];
  /** Row number of the first row with the same GTIN-14, when this one repeats it. */
  duplicateOf: number | null;
}

/** What `validateFile` found: detection, counts, duplicates and a few examples of each kind. */
export interface ValidationReport {
  detection: TableDetection;
  counts: {
    rows: number;
    valid: number;
    invalid: number;
    empty: number;
    duplicates: number;
    distinct: number;
  };
  byType: Partial<Record<CodeType, number>>;
  /** Invalid non-empty codes by rejection reason. */
  byReason: Partial<Record<RejectionReason, number>>;
  duplicates: {
    rows: number;
    codes: number;
    examples: { gtin14: string; code: string; rows: number[] }[];
  };
  examples: { valid: ValidatedRow[]; invalid: ValidatedRow[] };
}

/** Options of {@link validateFile}. */
export interface ValidateFileOptions extends OpenTableOptions {
  /** Called once the file is open and its columns detected, before any row. */
  onDetection?: (detection: TableDetection) => void | Promise<void>;
  /** Called for every data row; a returned promise is awaited (backpressure). */
  onRow?: (row: ValidatedRow) => void | Promise<void>;
  /** Examples kept per code type and per rejection reason (default 3). */
  examplesPerKind?: number;
}

const DUPLICATE_EXAMPLES = 10;
const ROWS_PER_DUPLICATE_EXAMPLE = 10;

/**
 * Reads a file once and validates its code column: counts by type and by rejection reason,
 * duplicates (same GTIN-14), examples with row numbers. Memory stays flat: rows go to
 * `onRow` and are not kept (only one number per distinct code, for duplicates).
 * Throws a `FileError` when the file cannot be read.
 */
export async function validateFile(
  path: string,
  options: ValidateFileOptions = {},
): Promise<ValidationReport> {
  const table = await openTable(path, options);
  const report = emptyReport(table.detection);
  const tally = createTally(report, options.examplesPerKind ?? 3);
  await options.onDetection?.(table.detection);
  const index = table.detection.columns.code.index;
  for await (const row of table.rows) {
    const validated = tally(row, index);
    if (options.onRow) {
      const pending = options.onRow(validated);
      if (pending) await pending;
    }
  }
  report.counts.distinct = report.counts.valid - report.counts.duplicates;
  return report;
}

function createTally(
  report: ValidationReport,
  perKind: number,
): (row: TableRow, index: number) => ValidatedRow {
  // gtin14 as a number (at most 14 digits, exact in a double) → first row; negated once repeated.
  // A Map<number, number> holds 1,000,000 codes in about 40 MB, string keys take twice that.
  const seen = new Map<number, number>();
  const examples = new Map<string, { gtin14: string; code: string; rows: number[] }>();
  return (row, index) => {
    const cell = row.cells[index] ?? null;
    const parsed = parseCode(cell, { numericCell: typeof cell === 'number' });
    const validated = toValidatedRow(row.rowNumber, parsed);
    if (parsed.valid) {
      report.counts.valid += 1;
      report.byType[parsed.type] = (report.byType[parsed.type] ?? 0) + 1;
      validated.duplicateOf = trackDuplicate(
        report,
        seen,
        examples,
        parsed.gtin14,
        parsed.code,
        row.rowNumber,
      );
      if (countOf(report.examples.valid, (r) => r.type === parsed.type) < perKind)
        report.examples.valid.push(validated);
    } else if (parsed.reason === 'empty') {
      report.counts.empty += 1;
    } else {
      report.counts.invalid += 1;
      report.byReason[parsed.reason] = (report.byReason[parsed.reason] ?? 0) + 1;
      if (countOf(report.examples.invalid, (r) => r.reason === parsed.reason) < perKind)
        report.examples.invalid.push(validated);
    }
    report.counts.rows += 1;
    return validated;
  };
}

function trackDuplicate(
  report: ValidationReport,
  seen: Map<number, number>,
  examples: Map<string, { gtin14: string; code: string; rows: number[] }>,
  gtin14: string,
  code: string,
  rowNumber: number,
): number | null {
  const key = Number(gtin14);
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, rowNumber);
    return null;
  }
  report.counts.duplicates += 1;
  if (first > 0) {
    report.duplicates.codes += 1;
    seen.set(key, -first);
  }
  const firstRow = Math.abs(first);
  let example = examples.get(gtin14);
  if (!example && examples.size < DUPLICATE_EXAMPLES) {
    example = { gtin14, code, rows: [firstRow] };
    examples.set(gtin14, example);
    report.duplicates.examples.push(example);
  }
  if (example && example.rows.length < ROWS_PER_DUPLICATE_EXAMPLE) example.rows.push(rowNumber);
  report.duplicates.rows = report.counts.duplicates;
  return firstRow;
}

function toValidatedRow(row: number, parsed: ParsedCode): ValidatedRow {
  if (parsed.valid) {
    const { raw, code, gtin14, type, flags } = parsed;
    return {
      row,
      raw,
      code,
      gtin14,
      type,
      valid: true,
      reason: null,
      message: null,
      flags,
      duplicateOf: null,
    };
  }
  return {
    row,
    raw: parsed.raw,
    code: null,
    gtin14: null,
    type: null,
    valid: false,
    reason: parsed.reason,
    message: parsed.message,
    flags: [],
    duplicateOf: null,
  };
}

function emptyReport(detection: TableDetection): ValidationReport {
  return {
    detection,
    counts: { rows: 0, valid: 0, invalid: 0, empty: 0, duplicates: 0, distinct: 0 },
    byType: {},
    byReason: {},
    duplicates: { rows: 0, codes: 0, examples: [] },
    examples: { valid: [], invalid: [] },
  };
}

function countOf<T>(list: T[], predicate: (item: T) => boolean): number {
  return list.reduce((n, item) => (predicate(item) ? n + 1 : n), 0);
}
