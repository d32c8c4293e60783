/** The part of the stored detection (`preflight.detection`) the preview shows. */
export interface ColumnChoice {
  index: number;
  letter: string;
  header: string | null;
  by: 'explicit' | 'header' | 'content';
  reason: string;
}

export interface Detection {
  fileName?: string;
  format?: 'csv' | 'xlsx' | 'json';
  text?: { encoding?: string; delimiter?: string };
  sheet?: { sheet?: string | null; sheetNames?: string[] };
  hasHeader?: boolean;
  columnNames?: string[];
  columns?: Partial<Record<'code' | 'title' | 'brand' | 'quantity' | 'asin', ColumnChoice>>;
}

export const ROLES = ['code', 'title', 'brand', 'quantity', 'asin'] as const;

/** How a delimiter is said to a person (a tab or a space is invisible). */
export function delimiterName(d: string | undefined): string {
  if (d === undefined) return '—';
  return { '\t': 'Tab', ' ': '␠', ';': ';', ',': ',', '|': '|' }[d] ?? d;
}

/** Codes rejected, by reason, largest first. */
export function reasonsBySize(byReason: Record<string, number> | undefined): [string, number][] {
  return Object.entries(byReason ?? {}).sort((a, b) => b[1] - a[1]);
}
