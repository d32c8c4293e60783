import type { Cell } from './table-row.js';

/** Days between Excel's day 0 (1899-12-30, counting its 1900 leap-year bug) and 1970-01-01. */
const UNIX_EPOCH_SERIAL = 25569;
/** Days between the 1900 and the 1904 date systems. */
const DATE_1904_OFFSET = 1462;
const DAY_MS = 24 * 60 * 60 * 1000;

/** How a cell's value is to be read besides its `t` attribute. */
export interface CellContext {
  /** The cell's style shows numbers as dates. */
  isDate: boolean;
  /** The workbook counts dates from 1904 (`workbookPr date1904`). */
  date1904: boolean;
  /** The shared string at an index (`t="s"`). */
  sharedString(index: number): string | undefined;
}

/**
 * Converts the text of a cell's `<v>` (or its inline string) to a plain cell, by the cell's
 * `t` attribute. A formula cell gives its cached value the same way. Numbers stay numbers
 * (never the displayed text, so a code shown as 3.01762E+12 reads as 3017620422003) with the
 * floating noise beyond Excel's 15 significant digits removed; numbers in a date style become
 * ISO dates; booleans read TRUE/FALSE, errors their code (`#N/A`); empty text is null.
 */
export function xlsxCellValue(type: string, text: string, context: CellContext): Cell {
  switch (type) {
    case 's': {
      const index = Number.parseInt(text, 10);
      return Number.isNaN(index) ? null : nonEmpty(context.sharedString(index));
    }
    case 'inlineStr':
    case 'str':
    case 'e':
      return nonEmpty(text);
    case 'b':
      return text.trim() === '' ? null : Number.parseInt(text, 10) !== 0 ? 'TRUE' : 'FALSE';
    case 'd':
      // ISO 8601 text (strict OOXML); kept as written.
      return nonEmpty(text.trim());
    default: {
      const value = Number.parseFloat(text);
      return context.isDate ? excelDate(value, context.date1904) : normaliseNumber(value);
    }
  }
}

function nonEmpty(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

function normaliseNumber(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  if (Number.isInteger(value)) return value === 0 ? 0 : value;
  return Number(value.toPrecision(15));
}

/** A date serial as an ISO date (`2024-01-31`), or date and time (`2024-01-31T13:45:00`). */
function excelDate(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial)) return null;
  const days = serial - UNIX_EPOCH_SERIAL + (date1904 ? DATE_1904_OFFSET : 0);
  const date = new Date(Math.round(days * DAY_MS));
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/(\.000)?Z$/, '');
}
