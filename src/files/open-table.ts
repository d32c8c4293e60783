import { basename } from 'node:path';
import { detectColumns } from './detect-columns.js';
import type { DetectedColumns } from './detect-columns.js';
import { detectFileFormat } from './detect-file-format.js';
import type { DetectedFile } from './detect-file-format.js';
import { detectHeader } from './detect-header.js';
import { FileError } from './file-error.js';
import { resolveFileLimits } from './file-limits.js';
import type { FileLimits } from './file-limits.js';
import { BatchedRows } from './batched-rows.js';
import { createRowLimitCheck } from './enforce-row-limits.js';
import { readDelimitedRows } from './read-delimited-rows.js';
import type { DelimitedInfo } from './read-delimited-rows.js';
import { readXlsxRows } from './read-xlsx-rows.js';
import type { XlsxInfo } from './read-xlsx-rows.js';
import type { Delimiter } from './sniff-delimiter.js';
import type { TableRow } from './table-row.js';

/** Options of {@link openTable}. */
export interface OpenTableOptions {
  /** The code column: header name, 1-based number or letter. Detected when absent. */
  column?: string | number;
  /** XLSX sheet by name or 1-based index; the first visible sheet when absent. */
  sheet?: string | number;
  /** Delimiter of a text file; sniffed when absent. */
  delimiter?: Delimiter;
  /** Whether row 1 is a header; detected when absent. */
  hasHeader?: boolean;
  limits?: Partial<FileLimits>;
  /** Rows buffered for header and column detection (default 1,000). */
  sampleRows?: number;
}

/** Everything found out about a file before its rows are read. */
export interface TableDetection {
  fileName: string;
  bytes: number;
  format: 'csv' | 'xlsx';
  /** Delimited text only. */
  text?: DelimitedInfo;
  /** XLSX only. */
  sheet?: XlsxInfo;
  hasHeader: boolean;
  headerReason: string;
  /** Header cells as read (null for an empty one), or nulls when there is no header row. */
  header: (string | null)[];
  /** Column names for output: the header, or `Column 1`, `Column 2`, ... */
  columnNames: string[];
  columns: DetectedColumns;
  sampledRows: number;
}

/** An open input file: its detection and its data rows (header excluded), read once. */
export interface Table {
  detection: TableDetection;
  rows: AsyncIterable<TableRow>;
  /** Stops reading and releases the file; needed only when `rows` is not read to the end. */
  close(): Promise<void>;
}

/**
 * Opens a CSV/TSV/TXT or XLSX file for streaming. The first `sampleRows` rows are buffered
 * to detect the header and the columns, then `rows` yields them and continues with the rest
 * of the file: one pass, memory independent of the file size. Limit violations (rows,
 * columns, cell length) throw a `FileLimitError` from `openTable` or from the iteration.
 */
export async function openTable(path: string, options: OpenTableOptions = {}): Promise<Table> {
  const limits = resolveFileLimits(options.limits);
  const file = await detectFileFormat(path, limits);
  const source = openSource(path, file, limits, options);
  const check = createRowLimitCheck(limits);
  try {
    const buffered = await takeRows(source.batches, check, (options.sampleRows ?? 1000) + 1);
    const sample = buffered.slice(0, (options.sampleRows ?? 1000) + 1);
    const decision = detectHeader(sample, options.hasHeader);
    if (sample.length === 0 || (decision.hasHeader && sample.length === 1)) {
      throw new FileError('empty_file', 'The file holds no data row: add rows under the header.');
    }
    const headerRow = decision.hasHeader ? sample.shift() : undefined;
    if (headerRow) buffered.shift();
    const width = Math.max(...sample.map((r) => r.cells.length), headerRow?.cells.length ?? 0);
    const header = Array.from({ length: width }, (_, i) => headerText(headerRow?.cells[i]));
    const detection: TableDetection = {
      fileName: basename(path),
      bytes: file.bytes,
      format: file.kind === 'xlsx' ? 'xlsx' : 'csv',
      ...source.info,
      hasHeader: decision.hasHeader,
      headerReason: decision.reason,
      header,
      columnNames: header.map((h, i) => h ?? `Column ${i + 1}`),
      columns: detectColumns(header, sample, options.column),
      sampledRows: sample.length,
    };
    const rows = new BatchedRows(buffered, source.batches, check);
    return { detection, rows, close: async () => void (await rows.return()) };
  } catch (error) {
    await source.batches.return(undefined);
    throw error;
  }
}

function openSource(
  path: string,
  file: DetectedFile,
  limits: FileLimits,
  options: OpenTableOptions,
): { info: { text?: DelimitedInfo; sheet?: XlsxInfo }; batches: AsyncGenerator<TableRow[]> } {
  if (file.kind === 'xlsx') {
    const { info, batches } = readXlsxRows(path, options.sheet, limits);
    return { info: { sheet: info }, batches };
  }
  const { info, batches } = readDelimitedRows(path, file, limits, options.delimiter);
  return { info: { text: info }, batches };
}

/** Reads whole batches until `count` rows are buffered (the rest of the last batch is kept). */
async function takeRows(
  batches: AsyncGenerator<TableRow[]>,
  check: (batch: readonly TableRow[]) => void,
  count: number,
): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  while (rows.length < count) {
    const next = await batches.next();
    if (next.done) break;
    check(next.value);
    for (const row of next.value) rows.push(row);
  }
  return rows;
}

function headerText(cell: string | number | null | undefined): string | null {
  if (cell === null || cell === undefined) return null;
  const text = String(cell).trim();
  return text === '' ? null : text;
}
