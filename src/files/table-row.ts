/** One cell as read: text, a number (XLSX numeric cells), or null when empty. */
export type Cell = string | number | null;

/** One row of an input file. */
export interface TableRow {
  /** Row number as the user sees it: the record number in a CSV (header = 1), the sheet row in an XLSX. */
  rowNumber: number;
  cells: Cell[];
}
