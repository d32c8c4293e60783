import { isKnownHeader } from './column-names.js';
import { isValidCode } from './column-stats.js';
import type { Cell, TableRow } from './table-row.js';

/** Whether the first row is a header, and why. */
export interface HeaderDecision {
  hasHeader: boolean;
  reason: string;
}

const NUMBER_LIKE = /^[\s\d.,+\-()/]*\d[\s\d.,+\-()/]*$/;

/**
 * Decides whether the first row is a header: it names a known column (EAN, Titre, Preis, ...),
 * or it holds only text where the following rows hold codes or numbers.
 */
export function detectHeader(sample: readonly TableRow[], explicit?: boolean): HeaderDecision {
  if (explicit !== undefined) {
    return { hasHeader: explicit, reason: `set by option (${explicit ? 'header' : 'no header'})` };
  }
  const first = sample[0];
  if (!first) return { hasHeader: false, reason: 'the file holds no row' };
  const known = first.cells.find(
    (c) => typeof c === 'string' && !isValidCode(c) && isKnownHeader(c),
  );
  if (known !== undefined) {
    return {
      hasHeader: true,
      reason: `row ${first.rowNumber} names a known column ("${String(known)}")`,
    };
  }
  const rest = sample.slice(1);
  if (first.cells.some(isDataLike)) {
    return { hasHeader: false, reason: `row ${first.rowNumber} holds codes or numbers` };
  }
  if (rest.length === 0) {
    return { hasHeader: false, reason: 'a single row without known column names' };
  }
  const width = first.cells.length;
  for (let i = 0; i < width; i += 1) {
    if (first.cells[i] === null) continue;
    const dataLike = rest.filter((row) => isDataLike(row.cells[i] ?? null)).length;
    if (dataLike / rest.length >= 0.5) {
      return {
        hasHeader: true,
        reason: `row ${first.rowNumber} holds text where the following rows hold codes or numbers (column ${i + 1})`,
      };
    }
  }
  return { hasHeader: false, reason: `row ${first.rowNumber} looks like the rows after it` };
}

function isDataLike(cell: Cell): boolean {
  if (cell === null) return false;
  if (typeof cell === 'number') return true;
  return NUMBER_LIKE.test(cell) || isValidCode(cell);
}
