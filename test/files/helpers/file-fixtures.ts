import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { TableRow } from '../../../src/files/index.js';

/** A temporary directory removed by `cleanup`. */
export function createTempDir(): {
  dir: string;
  path: (name: string) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'code2asin-files-'));
  return {
    dir,
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Completes 12 digits (or 7 for EAN-8) with their GS1 check digit. */
export function withCheckDigit(body: string): string {
  const sum = [...body].reverse().reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** The i-th valid EAN-13 of a deterministic series starting with prefix 400 (Germany). */
export function ean13(i: number): string {
  return withCheckDigit(`400${String(i).padStart(9, '0')}`);
}

export function writeText(
  path: string,
  text: string,
  encoding: 'utf8' | 'latin1' = 'utf8',
): string {
  writeFileSync(path, Buffer.from(text, encoding));
  return path;
}

/** UTF-16 with BOM, as Excel's "Unicode text" writes it. */
export function writeUtf16(path: string, text: string, endian: 'le' | 'be'): string {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  writeFileSync(path, endian === 'le' ? le : le.swap16());
  return path;
}

type SheetSpec = { name: string; rows: unknown[][] };

/** Writes an XLSX with exceljs' in-memory workbook (fixtures only; the code under test streams). */
export async function writeWorkbook(path: string, sheets: SheetSpec[]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  for (const spec of sheets) {
    const sheet = workbook.addWorksheet(spec.name);
    for (const row of spec.rows) sheet.addRow(row);
  }
  await workbook.xlsx.writeFile(path);
  return path;
}

/** Reads an async iterable of rows into an array. */
export async function collect(rows: AsyncIterable<TableRow>): Promise<TableRow[]> {
  const out: TableRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
