import type { SharedStringTable } from './shared-string-table.js';
import type { Cell } from './table-row.js';

/**
 * Converts an exceljs cell value to a plain cell. Numbers stay numbers (never the displayed
 * text, so a code shown as 3.01762E+12 reads as 3017620422003); floating noise beyond Excel's
 * 15 significant digits is removed. Formulas give their cached result, rich text is joined,
 * dates become ISO strings, errors their code (`#N/A`).
 */
export function xlsxCellValue(value: unknown, strings: SharedStringTable): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return normaliseNumber(value);
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'object') return objectValue(value as Record<string, unknown>, strings);
  return String(value);
}

function objectValue(value: Record<string, unknown>, strings: SharedStringTable): Cell {
  if (typeof value.sharedString === 'number') {
    return xlsxCellValue(strings.get(value.sharedString), strings);
  }
  if ('formula' in value || 'sharedFormula' in value || 'result' in value) {
    return xlsxCellValue(value.result, strings);
  }
  if (Array.isArray(value.richText)) return xlsxCellValue(richTextOf(value.richText), strings);
  if ('text' in value) return xlsxCellValue(value.text, strings);
  if (typeof value.error === 'string') return value.error;
  return null;
}

/** The text of a rich text run list. */
export function richTextOf(runs: unknown[]): string {
  return runs.map((run) => String((run as { text?: unknown }).text ?? '')).join('');
}

function normaliseNumber(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  if (Number.isInteger(value)) return value === 0 ? 0 : value;
  return Number(value.toPrecision(15));
}

function isoDate(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/(\.000)?Z$/, '');
}
