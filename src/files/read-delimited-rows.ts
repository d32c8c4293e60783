import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Parser } from 'csv-parse';
import type { DetectedFile } from './detect-file-format.js';
import { FileError, FileLimitError } from './file-error.js';
import type { FileLimits } from './file-limits.js';
import { sniffDelimiter } from './sniff-delimiter.js';
import type { Delimiter } from './sniff-delimiter.js';
import type { Cell, TableRow } from './table-row.js';
import { decodeHead, detectEncoding, toUtf8Chunks } from './text-encoding.js';
import type { TextEncodingName } from './text-encoding.js';

/** What the delimited reader found out about the file. */
export interface DelimitedInfo {
  encoding: TextEncodingName;
  delimiter: Delimiter;
  delimiterReason: string;
  /** Set when invalid UTF-8 appeared after the first 64 KB and the rest was read as Windows-1252. */
  encodingFallbackAfterRow?: number;
}

/**
 * Streams the records of a delimited text file (CSV, TSV, semicolon or pipe separated) as
 * batches of rows, one batch per 64 KB chunk. Memory stays flat: the next chunk is read only
 * once the consumer asks for the next batch.
 */
export function readDelimitedRows(
  path: string,
  file: DetectedFile,
  limits: FileLimits,
  delimiter?: Delimiter,
): { info: DelimitedInfo; batches: AsyncGenerator<TableRow[]> } {
  const complete = file.head.length === file.bytes;
  const detected = detectEncoding(file.head, complete);
  const sniffed = delimiter
    ? { delimiter, reason: 'given as an option' }
    : sniffDelimiter(decodeHead(file.head, detected), complete, file.extension);
  const info: DelimitedInfo = {
    encoding: detected.encoding,
    delimiter: sniffed.delimiter,
    delimiterReason: sniffed.reason,
  };
  return { info, batches: parseRows(path, detected.bomLength, info, limits) };
}

async function* parseRows(
  path: string,
  bomLength: number,
  info: DelimitedInfo,
  limits: FileLimits,
): AsyncGenerator<TableRow[]> {
  const source = createReadStream(path, { start: bomLength, highWaterMark: 64 * 1024 });
  const parser = parse({
    delimiter: info.delimiter,
    relax_column_count: true,
    relax_quotes: true,
    // csv-parse counts bytes; 4 bytes per character bounds the UTF-8 worst case.
    max_record_size: limits.maxCellLength * 4,
  });
  const records: string[][] = [];
  parser.on('data', (record: string[]) => records.push(record));
  const ended = endOf(parser);
  let rowNumber = 0;
  const toRows = (batch: string[][]): TableRow[] => {
    const rows: TableRow[] = [];
    for (const record of batch) {
      rowNumber += 1;
      const row = toRow(rowNumber, record);
      if (row) rows.push(row);
    }
    return rows;
  };
  const fallback = (): void => {
    info.encoding = 'windows-1252';
    info.encodingFallbackAfterRow = rowNumber;
  };
  try {
    for await (const chunk of toUtf8Chunks(source, info.encoding, fallback)) {
      await writeTo(parser, chunk, limits);
      yield toRows(records.splice(0));
    }
    parser.end();
    await ended.catch((error: unknown) => {
      throw csvError(error, parser, limits);
    });
    yield toRows(records.splice(0));
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/**
 * A record as a row, converted in place to spare one array per row; null for a blank line
 * (no cell holds anything).
 */
function toRow(rowNumber: number, record: string[]): TableRow | null {
  const cells = record as Cell[];
  let blank = true;
  for (let i = 0; i < record.length; i += 1) {
    if (record[i] === '') cells[i] = null;
    else blank = false;
  }
  // Mixed line endings: csv-parse picks the first one it sees, so "\r\n" later leaves a "\r".
  const last = cells[cells.length - 1];
  if (typeof last === 'string' && last.endsWith('\r')) {
    cells[cells.length - 1] = last.length === 1 ? null : last.slice(0, -1);
  }
  return blank ? null : { rowNumber, cells };
}

function writeTo(parser: Parser, chunk: Buffer, limits: FileLimits): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.write(chunk, (error) => (error ? reject(csvError(error, parser, limits)) : resolve()));
  });
}

function endOf(parser: Parser): Promise<void> {
  const ended = new Promise<void>((resolve, reject) => {
    parser.once('end', resolve);
    parser.once('error', reject);
  });
  ended.catch(() => undefined);
  return ended;
}

function csvError(error: unknown, parser: Parser, limits: FileLimits): FileError {
  if (error instanceof FileError) return error;
  const code = (error as { code?: string }).code;
  // The line where the parser stopped (a quoted cell may have started on an earlier one).
  const line = parser.info.lines;
  if (code === 'CSV_MAX_RECORD_SIZE') return recordTooLong(error, parser, line, limits);
  const message = error instanceof Error ? error.message : String(error);
  return new FileError(
    'unreadable',
    `The file cannot be read as delimited text near line ${line}: ${message}. Open it in Excel or LibreOffice and save it as CSV UTF-8.`,
    { line, csvCode: code },
    { cause: error },
  );
}

/**
 * csv-parse's bound is on the whole record (`max_record_size`: 4 bytes per character of
 * maxCellLength), not on a cell: say which of the two it met. Inside a quoted cell it is most
 * likely a quote never closed (the rest of the file reads as one cell); outside one, the row
 * itself holds more bytes than the bound, in many cells.
 */
function recordTooLong(
  error: unknown,
  parser: Parser,
  line: number,
  limits: FileLimits,
): FileLimitError {
  const limit = limits.maxCellLength;
  const bytes = limit * 4;
  const { column } = error as { column?: number };
  // The parser's own state (the error's `quoting` says whether a quote was closed, not open).
  const quoting = (parser as unknown as { state?: { quoting?: unknown } }).state?.quoting === true;
  const cells = typeof column === 'number' ? column + 1 : null;
  const details = { limit, actual: limit + 1, option: 'maxCellLength', line, row_bytes: bytes };
  if (quoting)
    return new FileLimitError(
      'cell_too_long',
      `A quoted cell${cells ? ` (column ${cells})` : ''} that ends near line ${line} is still open after ${bytes.toLocaleString('en-US')} bytes: a quote that opens a cell is probably never closed. Close it, or write a quote inside a cell as two quotes ("").`,
      details,
    );
  return new FileLimitError(
    'cell_too_long',
    `The row ending near line ${line} is longer than ${bytes.toLocaleString('en-US')} bytes${cells ? ` after ${cells.toLocaleString('en-US')} cells` : ''}, the most one row may hold (4 bytes per character of maxCellLength, ${limit.toLocaleString('en-US')}). Check that the file is split into cells and lines as you expect (its delimiter, its line ends), or remove the columns you do not need (library callers may raise maxCellLength).`,
    details,
  );
}
