/**
 * XLSX reading without exceljs' reader.
 *
 * Why: exceljs' streaming reader (4.4.0) read the 1,000,000-row benchmark workbook (shared
 * strings after the sheet, as Excel saves) in 14 s at a peak RSS of 270 MB, 237 MB at 100k
 * rows: over the 200 MB target and not flat. Measured (VmHWM, --trace-gc): the live heap
 * after each mark-compact was only 33 MB, the shared strings included; what grew was garbage.
 * Exceljs builds a Row, Cells, Value and style objects for every cell and hands a whole XML
 * chunk of rows at once; enough of them outlive a scavenge that 210 MB got promoted over the
 * run (--trace-gc-nvp; one allocation site was even pretenured), and V8 lets the old
 * generation reach 140-170 MB of dead rows before collecting. Unzipper's buffers (external
 * memory) stayed under 10 MB, and the sheet was first copied to a temporary file because the
 * zip is read front to back. Its heap cannot be capped from inside the process, and running
 * it in a worker with a 64 MB heap was slower (40 s) and no smaller (223 MB).
 *
 * Instead: the upload is a file, so the zip is read at random through its central directory
 * ({@link readZipDirectory}); the workbook, relationships and styles parts first, then the
 * shared strings into a compact table, then the sheet, each inflated by node:zlib as a stream
 * and parsed by saxes (exceljs' own XML parser) into plain rows, nothing else: 8.7 s and
 * 165 MB peak RSS at 1M rows, 135 MB at 100k, about 100 MB of which is the process before it
 * reads (docs/benchmarks/files.md). No temporary files. Exceljs is still used to write XLSX.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { FileError } from './file-error.js';
import { DEFAULT_FILE_LIMITS } from './file-limits.js';
import type { FileLimits } from './file-limits.js';
import { parseXmlEntry } from './parse-xml-entry.js';
import { readSharedStrings } from './read-shared-strings.js';
import { readXlsxWorkbook } from './read-xlsx-workbook.js';
import type { XlsxSheet } from './read-xlsx-workbook.js';
import { readZipDirectory } from './read-zip-directory.js';
import type { TableRow } from './table-row.js';
import { SheetRows } from './xlsx-sheet-rows.js';

/** The sheet being read; filled in when the reader reaches it (before its first row). */
export interface XlsxInfo {
  sheet: string | null;
  /** 1-based position of the sheet in the workbook. */
  sheetIndex: number | null;
  sheetNames: string[];
}

/**
 * Streams the rows of one sheet of an XLSX, in batches (the rows of one 64 KB inflated chunk):
 * the first visible sheet, or `sheet` by name (case-insensitive) or 1-based index. Numbers are
 * read raw, never through their display format; formulas give their cached value. A cell
 * longer than `maxCellLength` or a value beyond `maxColumns` fails as soon as it is met, before
 * it is held in memory; the shared strings are bounded by `maxSharedStringBytes`.
 */
export function readXlsxRows(
  path: string,
  sheet?: string | number,
  limits: Partial<XlsxLimits> = {},
): { info: XlsxInfo; batches: AsyncGenerator<TableRow[]> } {
  const info: XlsxInfo = { sheet: null, sheetIndex: null, sheetNames: [] };
  return { info, batches: sheetRows(path, sheet, info, { ...XLSX_DEFAULTS, ...limits }) };
}

/** The limits the XLSX reader applies while it reads (the others apply to its rows). */
export type XlsxLimits = Pick<FileLimits, 'maxCellLength' | 'maxColumns' | 'maxSharedStringBytes'>;

const XLSX_DEFAULTS: XlsxLimits = {
  maxCellLength: DEFAULT_FILE_LIMITS.maxCellLength,
  maxColumns: DEFAULT_FILE_LIMITS.maxColumns,
  maxSharedStringBytes: DEFAULT_FILE_LIMITS.maxSharedStringBytes,
};

async function* sheetRows(
  path: string,
  wanted: string | number | undefined,
  info: XlsxInfo,
  limits: XlsxLimits,
): AsyncGenerator<TableRow[]> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const entries = await readZipDirectory(file, (await file.stat()).size);
    const book = await readXlsxWorkbook(file, entries);
    const index = chooseSheet(book.sheets, wanted);
    const sheet = book.sheets[index] as XlsxSheet;
    info.sheet = sheet.name;
    info.sheetIndex = index + 1;
    info.sheetNames = book.sheets.map((s) => s.name);
    if (!sheet.entry) throw noCells(sheet, info.sheetNames);
    const sheetBytes = book.sheets.reduce((sum, s) => sum + (s.entry?.uncompressedSize ?? 0), 0);
    const strings = book.sharedStrings
      ? await readSharedStrings(file, book.sharedStrings, limits, sheetBytes)
      : undefined;
    const rows = new SheetRows({
      strings,
      dateStyles: book.dateStyles,
      date1904: book.date1904,
      maxCellLength: limits.maxCellLength,
      maxColumns: limits.maxColumns,
    });
    for await (const _ of parseXmlEntry(file, sheet.entry, rows, limits.maxCellLength)) {
      const batch = rows.take();
      if (batch.length > 0) yield batch;
    }
    const last = rows.take();
    if (last.length > 0) yield last;
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(
      'unreadable',
      `The workbook cannot be read (${error instanceof Error ? error.message : String(error)}). Open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
      {},
      { cause: error },
    );
  } finally {
    await file?.close();
  }
}

/**
 * The index of the wanted sheet. A number is a 1-based position; a string is a name
 * (trimmed, case-insensitive), or else a position when it is all digits, so a sheet named
 * "2024" is found by its name.
 */
function chooseSheet(sheets: XlsxSheet[], wanted: string | number | undefined): number {
  if (sheets.length === 0) {
    throw new FileError('empty_file', 'The workbook holds no worksheet.', {});
  }
  if (wanted === undefined) return firstVisible(sheets);
  const text = String(wanted).trim().toLowerCase();
  const named = sheets.findIndex((s) => s.name.trim().toLowerCase() === text);
  const position = typeof wanted === 'number' || /^\d+$/.test(text) ? Number(text) : NaN;
  const byPosition = Number.isInteger(position) && position >= 1 && position <= sheets.length;
  if (typeof wanted === 'number' && byPosition) return position - 1;
  if (named >= 0) return named;
  if (byPosition) return position - 1;
  throw sheetNotFound(
    wanted,
    sheets.map((s) => s.name),
  );
}

/** The first visible worksheet (not a chart sheet); else the first worksheet; else the first sheet. */
function firstVisible(sheets: XlsxSheet[]): number {
  const visible = (s: XlsxSheet): boolean => s.state !== 'hidden' && s.state !== 'veryHidden';
  const first = sheets.findIndex((s) => visible(s) && s.entry !== undefined);
  return first >= 0
    ? first
    : Math.max(
        0,
        sheets.findIndex((s) => s.entry !== undefined),
      );
}

function sheetNotFound(wanted: string | number, names: string[]): FileError {
  return new FileError(
    'sheet_not_found',
    `The workbook has no sheet "${String(wanted)}". Its sheets are: ${listed(names)}.`,
    { sheet: wanted, sheets: names },
    { option: 'sheet' },
  );
}

function noCells(sheet: XlsxSheet, names: string[]): FileError {
  return new FileError(
    'sheet_not_found',
    `The sheet "${sheet.name}" holds no cells (it is a chart sheet, or its part is missing from the file). Its sheets are: ${listed(names)}; choose one with the data.`,
    { sheet: sheet.name, sheets: names },
    { option: 'sheet' },
  );
}

function listed(names: string[]): string {
  return names.map((n, i) => `${i + 1}. ${n}`).join(', ');
}
