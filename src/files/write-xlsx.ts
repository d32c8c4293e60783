import type { Writable } from 'node:stream';
import { neutraliseFormula } from './neutralise-formula.js';
import { outputCells, outputHeader } from './result-table.js';
import type { ResultTable } from './result-table.js';
import type { Cell } from './table-row.js';

/** Options of {@link writeXlsx}. */
export interface WriteXlsxOptions {
  sheetName?: string;
  /** Write the header row (default true). */
  header?: boolean;
  /**
   * 0-based output columns written as text even when the value is a number: the code column,
   * so Excel neither drops leading zeros nor shows 3.01762E+12.
   */
  textColumns?: readonly number[];
}

/**
 * Writes a result table as an XLSX with exceljs' streaming writer (inline strings, no shared
 * string table held in memory), neutralising formula injection. Resolves with the row count.
 */
export async function writeXlsx(
  table: ResultTable,
  out: Writable,
  options: WriteXlsxOptions = {},
): Promise<{ rows: number }> {
  // Loaded on first use: exceljs costs every process that imports the files module 10–20 MB and
  // its load time, and only writing an XLSX result needs it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet(options.sheetName ?? 'Results');
  const text = new Set(options.textColumns ?? []);
  if (options.header ?? true)
    sheet.addRow(outputHeader(table).map((h) => neutraliseFormula(h))).commit();
  let rows = 0;
  for await (const row of table.rows) {
    rows += 1;
    sheet.addRow(outputCells(table, row).map((cell, i) => xlsxValue(cell, text.has(i)))).commit();
  }
  sheet.commit();
  await workbook.commit();
  return { rows };
}

function xlsxValue(cell: Cell, asText: boolean): string | number | null {
  if (typeof cell === 'number') return asText ? numberText(cell) : cell;
  return neutraliseFormula(cell);
}

function numberText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e21
    ? BigInt(value).toString()
    : String(value);
}
