import { matchHeader, normaliseHeader } from './column-names.js';
import type { ColumnRole } from './column-names.js';
import { columnStats } from './column-stats.js';
import type { ColumnStats } from './column-stats.js';
import { FileError } from './file-error.js';
import type { TableRow } from './table-row.js';

/** Which column plays a role, and why it was chosen. */
export interface ColumnDetection {
  /** 1-based column number, as `--column 2` takes it. */
  column: number;
  /** 0-based index into `cells`. */
  index: number;
  /** Spreadsheet letter: A, B, ..., AA. */
  letter: string;
  header: string | null;
  by: 'explicit' | 'header' | 'content';
  /** Share of the sampled rows whose cell fits the role (a valid code for `code`). */
  share: number;
  reason: string;
}

/** The code column and the optional ones found next to it. */
export type DetectedColumns = { code: ColumnDetection } & Partial<
  Record<Exclude<ColumnRole, 'code'>, ColumnDetection>
>;

const OPTIONAL_ROLES = ['asin', 'title', 'brand', 'price', 'quantity'] as const;

/**
 * Finds the code column: the explicit one when given (header name, 1-based number or letter),
 * else the best header match (EN/FR/DE/ES/IT names), else the column with the largest share of
 * valid codes in the sample. Then the optional title, brand, price, quantity and ASIN columns.
 */
export function detectColumns(
  header: readonly (string | null)[],
  sample: readonly TableRow[],
  explicit?: string | number,
): DetectedColumns {
  const stats = columnStats(sample, header.length);
  const code =
    explicit !== undefined
      ? explicitColumn(header, stats, explicit)
      : (headerColumn(header, stats) ?? contentColumn(header, stats));
  const columns: DetectedColumns = { code };
  const taken = new Set([code.index]);
  for (const role of OPTIONAL_ROLES) {
    const found = optionalColumn(role, header, stats, taken);
    if (found) {
      columns[role] = found;
      taken.add(found.index);
    }
  }
  return columns;
}

function explicitColumn(
  header: readonly (string | null)[],
  stats: ColumnStats,
  explicit: string | number,
): ColumnDetection {
  const index = resolveExplicit(header, explicit);
  if (index === -1 || index >= header.length) {
    const list = header.map((h, i) => `${i + 1}. ${h ?? '(no name)'}`).join(', ');
    throw new FileError(
      'column_not_found',
      `There is no column "${String(explicit)}". The columns are: ${list}.`,
      { column: explicit, columns: header },
      { option: 'column' },
    );
  }
  return describe(
    index,
    header,
    'explicit',
    codeShare(stats, index),
    `given as an option ("${String(explicit)}")`,
  );
}

function resolveExplicit(header: readonly (string | null)[], explicit: string | number): number {
  if (typeof explicit === 'number') return explicit - 1;
  const wanted = normaliseHeader(explicit);
  const byName = header.findIndex((h) => h !== null && normaliseHeader(h) === wanted);
  if (byName !== -1) return byName;
  if (/^\d+$/.test(explicit.trim())) return Number(explicit.trim()) - 1;
  if (/^[A-Za-z]{1,3}$/.test(explicit.trim())) return letterToIndex(explicit.trim());
  return -1;
}

function headerColumn(
  header: readonly (string | null)[],
  stats: ColumnStats,
): ColumnDetection | null {
  let best: { index: number; score: number; share: number; name: string } | null = null;
  header.forEach((h, index) => {
    const match = matchHeader(h, 'code');
    if (match.score === 0) return;
    const share = codeShare(stats, index);
    if (!best || match.score > best.score || (match.score === best.score && share > best.share)) {
      best = { index, score: match.score, share, name: match.name };
    }
  });
  const chosen = best as { index: number; score: number; share: number; name: string } | null;
  if (!chosen) return null;
  const content = bestBy(stats.validCodes, stats.rows, new Set());
  if (chosen.share === 0 && content && content.share >= 0.5) return null;
  const how = chosen.score === 2 ? 'is' : 'contains';
  return describe(chosen.index, header, 'header', chosen.share, `header ${how} "${chosen.name}"`);
}

function contentColumn(header: readonly (string | null)[], stats: ColumnStats): ColumnDetection {
  const valid = bestBy(stats.validCodes, stats.rows, new Set());
  if (valid) {
    const pct = percent(valid.share);
    const reason = `${pct} of the first ${stats.rows} rows hold a valid code, more than any other column`;
    return describe(valid.index, header, 'content', valid.share, reason);
  }
  const digits = bestBy(stats.digitStrings, stats.rows, new Set());
  if (digits) {
    const reason = `no column holds a valid code; ${percent(digits.share)} of this column's cells are 6 to 14 digits`;
    return describe(digits.index, header, 'content', 0, reason);
  }
  throw new FileError(
    'no_code_column',
    `No column holds barcodes: no header names one (EAN, UPC, GTIN, ISBN, barcode, code-barre, ...) and no column holds codes in the first ${stats.rows} rows.`,
    { columns: header, sampledRows: stats.rows },
    { option: 'column' },
  );
}

function optionalColumn(
  role: (typeof OPTIONAL_ROLES)[number],
  header: readonly (string | null)[],
  stats: ColumnStats,
  taken: Set<number>,
): ColumnDetection | null {
  let best: { index: number; score: number; name: string } | null = null;
  header.forEach((h, index) => {
    const match = matchHeader(h, role);
    if (taken.has(index) || match.score === 0 || (best && best.score >= match.score)) return;
    best = { index, score: match.score, name: match.name };
  });
  const chosen = best as { index: number; score: number; name: string } | null;
  if (chosen) {
    const share = stats.rows ? (stats.nonEmpty[chosen.index] ?? 0) / stats.rows : 0;
    const how = chosen.score === 2 ? 'is' : 'contains';
    return describe(chosen.index, header, 'header', share, `header ${how} "${chosen.name}"`);
  }
  if (role !== 'asin') return null;
  const asins = bestBy(stats.asins, stats.rows, taken);
  if (!asins || asins.share < 0.5) return null;
  return describe(
    asins.index,
    header,
    'content',
    asins.share,
    `${percent(asins.share)} of the cells are ASINs (B0…)`,
  );
}

function bestBy(
  counts: number[],
  rows: number,
  taken: Set<number>,
): { index: number; share: number } | null {
  let best: { index: number; share: number } | null = null;
  counts.forEach((count, index) => {
    if (count > 0 && !taken.has(index) && (!best || count / rows > best.share)) {
      best = { index, share: count / rows };
    }
  });
  return best;
}

function codeShare(stats: ColumnStats, index: number): number {
  return stats.rows ? (stats.validCodes[index] ?? 0) / stats.rows : 0;
}

function describe(
  index: number,
  header: readonly (string | null)[],
  by: ColumnDetection['by'],
  share: number,
  reason: string,
): ColumnDetection {
  return {
    column: index + 1,
    index,
    letter: indexToLetter(index),
    header: header[index] ?? null,
    by,
    share,
    reason,
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** 0 → A, 25 → Z, 26 → AA. */
export function indexToLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

function letterToIndex(letters: string): number {
  return [...letters.toUpperCase()].reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 64), 0) - 1;
}
