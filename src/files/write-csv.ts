import type { Writable } from 'node:stream';
import { neutraliseFormula } from './neutralise-formula.js';
import { outputCells, outputHeader } from './result-table.js';
import type { ResultTable } from './result-table.js';
import { writeAll } from './write-all.js';
import type { Cell } from './table-row.js';

/** Options of {@link writeCsv}. */
export interface WriteCsvOptions {
  /** The input's delimiter (default `,`). */
  delimiter?: string;
  /** Start with a UTF-8 BOM so Excel reads accents right (default true). */
  bom?: boolean;
  /** Write the header line (default true). */
  header?: boolean;
}

/**
 * Writes a result table as CSV (UTF-8, BOM for Excel, CRLF line ends), neutralising formula
 * injection. Honours backpressure; resolves with the number of data rows written.
 */
export async function writeCsv(
  table: ResultTable,
  out: Writable,
  options: WriteCsvOptions = {},
): Promise<{ rows: number }> {
  const delimiter = options.delimiter ?? ',';
  const encode = (cells: readonly Cell[]): string =>
    cells.map((c) => csvField(neutraliseFormula(c), delimiter)).join(delimiter) + '\r\n';
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    if (options.bom ?? true) yield '\uFEFF';
    if (options.header ?? true) yield encode(outputHeader(table));
    for await (const row of table.rows) {
      rows += 1;
      yield encode(outputCells(table, row));
    }
  }
  await writeAll(lines(), out);
  return { rows };
}

function csvField(cell: Cell, delimiter: string): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? numberText(cell) : cell;
  if (text.includes(delimiter) || /["\r\n]/.test(text) || text !== text.trim()) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

function numberText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e21
    ? BigInt(value).toString()
    : String(value);
}
