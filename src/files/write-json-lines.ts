import type { Writable } from 'node:stream';
import { outputCells, outputHeader } from './result-table.js';
import type { ResultTable } from './result-table.js';
import { writeAll } from './write-all.js';

/**
 * Writes a result table as JSON Lines: one object per row, keyed by column name (a repeated
 * name gets ` (2)`, ` (3)`, ...), values as read. Nothing is neutralised: JSON is not evaluated.
 */
export async function writeJsonLines(table: ResultTable, out: Writable): Promise<{ rows: number }> {
  const keys = uniqueKeys(outputHeader(table));
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    for await (const row of table.rows) {
      rows += 1;
      const cells = outputCells(table, row);
      const record: Record<string, unknown> = {};
      cells.forEach((cell, i) => {
        record[keys[i] ?? `Column ${i + 1}`] = cell;
      });
      yield `${JSON.stringify(record)}\n`;
    }
  }
  await writeAll(lines(), out);
  return { rows };
}

function uniqueKeys(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
