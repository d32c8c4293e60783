import type { ColumnDetection } from './detect-columns.js';
import type { TableDetection } from './open-table.js';
import type { ValidatedRow, ValidationReport } from './validate-file.js';

/** The human-readable text `code2asin validate` prints. */
export function formatValidationReport(report: ValidationReport): string {
  const { counts } = report;
  const lines = [
    ...formatDetection(report.detection),
    '',
    `Rows        ${n(counts.rows)} (${n(counts.empty)} without a code)`,
    `Valid       ${n(counts.valid)}${breakdown(report.byType)}`,
    `Invalid     ${invalidSummary(invalidReasons(counts.empty, report.byReason))}`,
    `Duplicates  ${n(counts.duplicates)} rows repeat ${n(report.duplicates.codes)} codes; ${n(counts.distinct)} distinct valid codes`,
  ];
  for (const d of report.duplicates.examples) {
    lines.push(`            ${d.code}: rows ${d.rows.join(', ')}`);
  }
  if (report.examples.invalid.length > 0) {
    lines.push('', 'Invalid examples');
    for (const row of report.examples.invalid) lines.push(`  ${exampleLine(row)}`);
  }
  if (report.examples.valid.length > 0) {
    lines.push('', 'Valid examples');
    for (const row of report.examples.valid) lines.push(`  ${exampleLine(row)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The detection part: format, encoding, delimiter, sheet, header and columns. */
export function formatDetection(detection: TableDetection): string[] {
  const lines = [`File        ${detection.fileName} (${n(detection.bytes)} bytes)`];
  if (detection.text) {
    const { encoding, delimiter, delimiterReason, encodingFallbackAfterRow } = detection.text;
    const fallback =
      encodingFallbackAfterRow !== undefined
        ? `, switched after row ${encodingFallbackAfterRow}`
        : '';
    lines.push(
      `Format      CSV, ${encoding}${fallback}, delimiter ${delimiterName(delimiter)} (${delimiterReason})`,
    );
  }
  if (detection.sheet) {
    const { sheet, sheetIndex, sheetNames } = detection.sheet;
    lines.push(
      `Format      XLSX, sheet ${sheetIndex ?? '?'} "${sheet ?? ''}" of ${sheetNames.length} (${sheetNames.join(', ')})`,
    );
  }
  lines.push(`Header      ${detection.hasHeader ? 'yes' : 'no'}: ${detection.headerReason}`);
  const roles = Object.entries(detection.columns) as [string, ColumnDetection][];
  roles.forEach(([role, column], i) => {
    lines.push(
      `${i === 0 ? 'Columns     ' : '            '}${role.padEnd(9)}${columnLine(column)}`,
    );
  });
  return lines;
}

function columnLine(column: ColumnDetection): string {
  const name = column.header ? ` "${column.header}"` : '';
  return `${column.letter} (column ${column.column})${name}, by ${column.by}: ${column.reason}`;
}

function exampleLine(row: ValidatedRow): string {
  if (!row.valid)
    return `row ${row.row}: ${JSON.stringify(row.raw)} ${row.reason}: ${row.message ?? ''}`;
  const flags = row.flags.length > 0 ? ` [${row.flags.join(', ')}]` : '';
  return `row ${row.row}: ${JSON.stringify(row.raw)} → ${row.type} ${row.code}${flags}`;
}

/**
 * Invalid rows by reason, rows without a code included (as `empty`): the one breakdown
 * `validate`, the pre-flight report and `map` all show, so their figures agree.
 */
export function invalidReasons(
  empty: number,
  byReason: Partial<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [reason, count] of Object.entries(byReason)) if (count) out[reason] = count;
  if (empty > 0) out.empty = (out.empty ?? 0) + empty;
  return out;
}

/** `4 (bad_check_digit 3, empty 1)`: the total, then each reason, most frequent first. */
export function invalidSummary(reasons: Record<string, number>, label = ''): string {
  const total = Object.values(reasons).reduce((a, b) => a + b, 0);
  return `${n(total)}${label}${breakdown(reasons).replace(/^ {2}/, ' ')}`;
}

function breakdown(counts: Partial<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([key, count]) => `${key} ${n(count ?? 0)}`);
  return parts.length > 0 ? `  (${parts.join(', ')})` : '';
}

function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
