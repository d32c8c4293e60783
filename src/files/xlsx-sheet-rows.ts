import { cellTooLong, valueBeyondColumnLimit } from './enforce-row-limits.js';
import { FileError } from './file-error.js';
import type { XmlHandlers } from './parse-xml-entry.js';
import type { SharedStrings } from './read-shared-strings.js';
import type { Cell, TableRow } from './table-row.js';
import { xlsxCellValue } from './xlsx-cell-value.js';
import type { CellContext } from './xlsx-cell-value.js';

/** Column XFD, the last one Excel has. */
const MAX_COLUMN = 16_384;
/** The last row Excel has. */
const MAX_ROW = 1_048_576;
const NONE = 0;
const VALUE = 1;
const INLINE_TEXT = 2;

/** What the rows of a sheet need from the rest of the workbook. */
export interface SheetContext {
  strings: SharedStrings | undefined;
  /** Entry `s` is true when cell style `s` shows numbers as dates. */
  dateStyles: boolean[];
  date1904: boolean;
  maxCellLength: number;
  maxColumns: number;
}

/**
 * Turns the SAX events of a worksheet part into rows. Rows and cells are placed by their `r`
 * attribute (`<row r="7">`, `<c r="D7">`), so missing rows keep the sheet's numbering and
 * missing cells are null; without `r` a row or cell follows the previous one. A cell with a
 * value (`<v>`, an inline string `<is>`) or a formula counts; one with a style only does not.
 * Completed rows collect in `rows` until {@link take} hands them over.
 *
 * Limits hold while a row streams in, so a forged row is never held whole: a value beyond
 * `maxColumns` or a cell beyond column XFD fails at once (a 60,000,000-cell row used to be
 * built to its end first: about 1 GB). Row numbers are checked as met: each row after the
 * previous one and within Excel's 1,048,576, since the number keys the job's stored row.
 */
export class SheetRows implements XmlHandlers {
  private rows: TableRow[] = [];
  private inSheetData = false;
  private cells: Cell[] | null = null;
  private rowNumber = 0;
  private column = 0;
  private inCell = false;
  private type = 'n';
  private style = 0;
  private counts = false;
  private target = NONE;
  private inInline = false;
  private phonetic = 0;
  private buffer = '';
  /** Characters of the cell's text, counted on past the limit (where `buffer` stops). */
  private length = 0;
  private readonly context: CellContext;

  constructor(private readonly sheet: SheetContext) {
    const strings = sheet.strings;
    this.context = {
      isDate: false,
      date1904: sheet.date1904,
      sharedString: (index) => strings?.table.get(index),
    };
  }

  /** The rows completed since the last call. */
  take(): TableRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  open(name: string, attributes: Record<string, string>): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        break;
      case 'row':
        if (!this.inSheetData) break;
        this.rowNumber = nextRowNumber(this.rowNumber, attributes.r);
        this.cells = Array.of<Cell>();
        this.column = 0;
        break;
      case 'c':
        if (this.cells === null) break;
        this.column = attributes.r === undefined ? this.column + 1 : columnOf(attributes.r);
        if (this.column > MAX_COLUMN) throw notACell(`row ${this.rowNumber}, cell ${this.column}`);
        this.inCell = true;
        this.type = attributes.t ?? 'n';
        this.style = positiveInt(attributes.s) ?? 0;
        this.counts = false;
        this.buffer = '';
        this.length = 0;
        break;
      case 'v':
        if (!this.inCell) break;
        this.target = VALUE;
        this.counts = true;
        this.buffer = '';
        this.length = 0;
        break;
      case 'f':
        if (this.inCell) this.counts = true;
        break;
      case 'is':
        if (!this.inCell) break;
        this.inInline = true;
        this.type = 'inlineStr';
        this.counts = true;
        break;
      case 't':
        if (this.inInline && this.phonetic === 0) this.target = INLINE_TEXT;
        break;
      case 'rPh':
        this.phonetic += 1;
        break;
    }
  }

  text(value: string): void {
    if (this.target === NONE) return;
    this.length += value.length;
    // An over-long cell is not built up in memory, only counted until it ends.
    if (this.length <= this.sheet.maxCellLength) this.buffer += value;
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.target = NONE;
        break;
      case 'is':
        this.inInline = false;
        break;
      case 'rPh':
        this.phonetic -= 1;
        break;
      case 'c':
        if (this.inCell && this.cells !== null && this.counts) this.place(this.cells);
        this.inCell = false;
        this.target = NONE;
        break;
      case 'row':
        if (this.cells !== null) this.rows.push(tableRow(this.rowNumber, this.cells));
        this.cells = null;
        break;
      case 'sheetData':
        this.inSheetData = false;
        break;
    }
  }

  private place(cells: Cell[]): void {
    if (this.column > this.sheet.maxColumns) {
      throw valueBeyondColumnLimit(this.sheet.maxColumns, this.column, this.rowNumber);
    }
    if (this.length > this.sheet.maxCellLength) {
      throw cellTooLong(this.sheet.maxCellLength, this.length, this.rowNumber, this.column);
    }
    this.context.isDate = this.sheet.dateStyles[this.style] === true;
    const value = this.cellValue();
    const index = this.column - 1;
    while (cells.length < index) cells.push(null);
    cells[index] = value;
  }

  private cellValue(): Cell {
    const overLong = this.sheet.strings?.overLong;
    if (this.type === 's' && overLong !== undefined && overLong.size > 0) {
      const length = overLong.get(Number.parseInt(this.buffer, 10));
      if (length !== undefined) {
        throw cellTooLong(this.sheet.maxCellLength, length, this.rowNumber, this.column);
      }
    }
    return xlsxCellValue(this.type, this.buffer, this.context);
  }
}

/**
 * A row made without an object literal (and its cells with `Array.of`, not `[]`): V8 tenures
 * a literal's allocation site for good when a scavenge finds at least 85% of its recent objects
 * alive, as happens while openTable holds its 1,000-row detection sample. Every later row was
 * then allocated in old space as garbage: in about half of the 1M-row runs the peak RSS rose
 * from 150 MB to 200-240 MB (`--trace-pretenuring-statistics`: "(1279, 1279, 1.0) undecided
 * => tenure"). Objects from Object.create carry no allocation memento.
 */
function tableRow(rowNumber: number, cells: Cell[]): TableRow {
  const row = Object.create(Object.prototype) as TableRow;
  row.rowNumber = rowNumber;
  row.cells = cells;
  return row;
}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number.parseInt(text, 10);
  return value > 0 ? value : undefined;
}

/** `D7` → 4. */
function columnOf(ref: string): number {
  let column = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const code = ref.charCodeAt(i) & ~0x20; // upper case
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
    if (column > MAX_COLUMN) break;
  }
  if (column < 1 || column > MAX_COLUMN) throw notACell(`"${ref.slice(0, 20)}"`);
  return column;
}

function notACell(where: string): FileError {
  return new FileError(
    'unreadable',
    `The sheet has a cell at ${where}, which is not a cell of an Excel sheet (columns A to XFD). Open the file in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
    { cell: where },
  );
}

/**
 * The number of the row opening after `previous`: its `r`, or the next one without it. A row
 * listed twice, out of order or beyond Excel's last row is refused here (SQLite and PostgreSQL
 * alike), never left to collide in the rows table or overflow its integer key.
 */
function nextRowNumber(previous: number, r: string | undefined): number {
  const given = r === undefined ? undefined : /^\s*\d+\s*$/.test(r) ? Number(r) : Number.NaN;
  if (Number.isNaN(given))
    throw badRow(`row r="${String(r).slice(0, 20)}"`, previous, 'not a row number');
  const next = given ?? previous + 1;
  if (next < 1 || next > MAX_ROW) {
    throw badRow(
      `row ${next}`,
      previous,
      `Excel sheets have rows 1 to ${MAX_ROW.toLocaleString('en-US')}`,
    );
  }
  if (next <= previous) {
    throw badRow(`row ${next}`, previous, 'each row must come once, after the rows before it');
  }
  return next;
}

function badRow(what: string, previous: number, why: string): FileError {
  const after = previous === 0 ? 'as the first row' : `after row ${previous}`;
  return new FileError(
    'unreadable',
    `The sheet lists ${what} ${after}: ${why}. The file was not written by Excel or is damaged: open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
    { row: what, previous_row: previous },
  );
}
