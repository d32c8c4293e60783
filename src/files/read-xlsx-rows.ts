import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { FileError } from './file-error.js';
import { SharedStringTable } from './shared-string-table.js';
import type { Cell, TableRow } from './table-row.js';
import { richTextOf, xlsxCellValue } from './xlsx-cell-value.js';

/** The sheet being read; filled in when the reader reaches it (before its first row). */
export interface XlsxInfo {
  sheet: string | null;
  /** 1-based position of the sheet in the workbook. */
  sheetIndex: number | null;
  sheetNames: string[];
}

interface SheetModel {
  name: string;
  state?: string;
}

interface WorksheetEventValue {
  name: string;
  parse(): AsyncIterable<{ eventType: string; value: { number: number; values: unknown } }[]>;
}

type ReaderEvent =
  | { eventType: 'worksheet'; value: WorksheetEventValue }
  | { eventType?: undefined; index: number; text: unknown }
  | { eventType: string; value: unknown };

/**
 * Streams the rows of one sheet of an XLSX, in batches, with exceljs' streaming reader: the first visible
 * sheet, or `sheet` by name or 1-based index. Shared strings go into a compact table (see
 * {@link SharedStringTable}); styles are kept only to recognise date cells.
 */
export function readXlsxRows(
  path: string,
  sheet?: string | number,
): { info: XlsxInfo; batches: AsyncGenerator<TableRow[]> } {
  const info: XlsxInfo = { sheet: null, sheetIndex: null, sheetNames: [] };
  return { info, batches: sheetRows(path, sheet, info) };
}

async function* sheetRows(
  path: string,
  wanted: string | number | undefined,
  info: XlsxInfo,
): AsyncGenerator<TableRow[]> {
  const stream = createReadStream(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'emit',
    worksheets: 'emit',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const strings = new SharedStringTable();
  const seen: string[] = [];
  let found = false;
  try {
    const events = reader.parse() as unknown as AsyncIterable<ReaderEvent>;
    for await (const event of events) {
      // After the wanted sheet, the rest of the workbook is only drained: exceljs deletes the
      // temporary copy of a sheet (made when the shared strings come after it, as Excel saves)
      // once its iteration moves on, so stopping here would leave those files until exit.
      if (found && event.eventType !== 'worksheet') continue;
      if (event.eventType === undefined) {
        strings.add(sharedText(event.text));
        continue;
      }
      if (event.eventType !== 'worksheet') continue;
      const worksheet = event.value as WorksheetEventValue;
      if (found) {
        await skipSheet(worksheet);
        continue;
      }
      const models = sheetModels(reader);
      seen.push(worksheet.name);
      if (!isWanted(worksheet.name, wanted, models, seen.length)) {
        await skipSheet(worksheet);
        continue;
      }
      info.sheet = worksheet.name;
      info.sheetNames = models.length > 0 ? models.map((m) => m.name) : seen;
      info.sheetIndex = models.findIndex((m) => m.name === worksheet.name) + 1 || seen.length;
      // The worksheet's own parse() hands over the rows of each XML chunk together: one
      // await per chunk instead of one per row.
      for await (const events of worksheet.parse()) {
        const rows: TableRow[] = [];
        for (const { eventType, value } of events) {
          if (eventType === 'row') rows.push(toRow(value.number, value.values, strings));
        }
        if (rows.length > 0) yield rows;
      }
      found = true;
    }
    if (found) return;
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(
      'unreadable',
      `The workbook cannot be read (${error instanceof Error ? error.message : String(error)}). Open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
      {},
      { cause: error },
    );
  } finally {
    stream.destroy();
  }
  throw sheetNotFound(
    wanted,
    sheetModels(reader).map((m) => m.name),
    seen,
  );
}

/**
 * Reads a sheet we do not want to its end, discarding it: left unread, the stream of its
 * temporary copy stays open while exceljs deletes the file under it.
 */
async function skipSheet(worksheet: WorksheetEventValue): Promise<void> {
  for await (const _events of worksheet.parse()) {
    // discarded
  }
}

function toRow(rowNumber: number, values: unknown, strings: SharedStringTable): TableRow {
  const list = Array.isArray(values) ? values : [];
  const cells: Cell[] = new Array<Cell>(Math.max(0, list.length - 1));
  // exceljs row values are 1-based (index 0 is always empty).
  for (let i = 1; i < list.length; i += 1) cells[i - 1] = xlsxCellValue(list[i], strings);
  return { rowNumber, cells };
}

function sharedText(text: unknown): string {
  if (typeof text === 'string') return text;
  const runs = (text as { richText?: unknown[] } | null)?.richText;
  return Array.isArray(runs) ? richTextOf(runs) : '';
}

function sheetModels(reader: unknown): SheetModel[] {
  const model = (reader as { model?: { sheets?: SheetModel[] } }).model;
  return model?.sheets ?? [];
}

function isWanted(
  name: string,
  wanted: string | number | undefined,
  models: SheetModel[],
  position: number,
): boolean {
  if (wanted === undefined) {
    const first = models.find((m) => m.state !== 'hidden' && m.state !== 'veryHidden');
    return first ? first.name === name : position === 1;
  }
  const byName = String(wanted).trim().toLowerCase();
  if (name.trim().toLowerCase() === byName) return true;
  const index = typeof wanted === 'number' ? wanted : /^\d+$/.test(byName) ? Number(byName) : NaN;
  if (Number.isNaN(index)) return false;
  return models.length > 0 ? models[index - 1]?.name === name : position === index;
}

function sheetNotFound(
  wanted: string | number | undefined,
  names: string[],
  seen: string[],
): FileError {
  const available = names.length > 0 ? names : seen;
  if (available.length === 0) {
    return new FileError('empty_file', 'The workbook holds no worksheet.', {});
  }
  return new FileError(
    'sheet_not_found',
    `The workbook has no sheet "${String(wanted)}". Its sheets are: ${available.map((n, i) => `${i + 1}. ${n}`).join(', ')}. Pass one of these names or numbers as the sheet option.`,
    { sheet: wanted, sheets: available },
  );
}
