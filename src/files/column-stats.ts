import { parseCode } from '../codes/index.js';
import type { Cell, TableRow } from './table-row.js';

/** What the sampled rows hold, per column. */
export interface ColumnStats {
  rows: number;
  nonEmpty: number[];
  validCodes: number[];
  /** Cells of 6 to 14 digits once spaces and dashes are removed, valid or not. */
  digitStrings: number[];
  asins: number[];
}

const ASIN = /^B0[0-9A-Z]{8}$/i;
const DIGIT_STRING = /^\d{6,14}$/;

/** Counts, per column, the valid codes (with parseCode) and other shapes in the sample. */
export function columnStats(rows: readonly TableRow[], columnCount: number): ColumnStats {
  const stats: ColumnStats = {
    rows: rows.length,
    nonEmpty: new Array<number>(columnCount).fill(0),
    validCodes: new Array<number>(columnCount).fill(0),
    digitStrings: new Array<number>(columnCount).fill(0),
    asins: new Array<number>(columnCount).fill(0),
  };
  for (const row of rows) {
    row.cells.forEach((cell, i) => {
      if (cell === null || i >= columnCount) return;
      add(stats.nonEmpty, i);
      if (isValidCode(cell)) add(stats.validCodes, i);
      const text = String(cell).replace(/[\s-]/g, '');
      if (DIGIT_STRING.test(text)) add(stats.digitStrings, i);
      if (typeof cell === 'string' && ASIN.test(cell.trim())) add(stats.asins, i);
    });
  }
  return stats;
}

/** Whether a cell holds a valid code (numbers may have lost leading zeros). */
export function isValidCode(cell: Cell): boolean {
  if (cell === null) return false;
  // Cheap pre-filter: text without any digit can never be a code.
  if (typeof cell === 'string' && !/\d/.test(cell)) return false;
  return parseCode(cell, { numericCell: typeof cell === 'number' }).valid;
}

function add(counts: number[], i: number): void {
  counts[i] = (counts[i] ?? 0) + 1;
}
