/** Field delimiters recognised by sniffing. */
export type Delimiter = ',' | ';' | '\t' | '|';

const CANDIDATES: readonly Delimiter[] = [',', ';', '\t', '|'];
const SAMPLE_RECORDS = 50;

/** The chosen delimiter and why, for the detection report. */
export interface SniffedDelimiter {
  delimiter: Delimiter;
  reason: string;
}

/**
 * Picks the delimiter that splits the first records (quotes respected) into the same number
 * of fields most consistently; more fields win a tie. `complete` says whether `text` is the
 * whole file (otherwise its last, possibly cut, record is ignored).
 */
export function sniffDelimiter(text: string, complete: boolean, extension = ''): SniffedDelimiter {
  const counts = countPerRecord(text, complete);
  let best: { delimiter: Delimiter; consistency: number; fields: number } | null = null;
  for (const delimiter of CANDIDATES) {
    const perRecord = counts.map((c) => c[delimiter]);
    const mode = modeOf(perRecord);
    if (mode === 0) continue;
    const consistency = perRecord.filter((n) => n === mode).length / perRecord.length;
    if (
      !best ||
      consistency > best.consistency ||
      (consistency === best.consistency && mode > best.fields - 1)
    ) {
      best = { delimiter, consistency, fields: mode + 1 };
    }
  }
  if (best) {
    const pct = Math.round(best.consistency * 100);
    return {
      delimiter: best.delimiter,
      reason: `${pct}% of the first ${counts.length} records split into ${best.fields} fields`,
    };
  }
  const fallback: Delimiter = extension === 'tsv' || extension === 'tab' ? '\t' : ',';
  return { delimiter: fallback, reason: 'no delimiter found: the file has a single column' };
}

type Counts = Record<Delimiter, number>;

function countPerRecord(text: string, complete: boolean): Counts[] {
  const records: Counts[] = [];
  let current = emptyCounts();
  let inQuotes = false;
  let fieldStart = true;
  let hasContent = false;
  for (let i = 0; i < text.length && records.length < SAMPLE_RECORDS; i += 1) {
    const ch = text[i] as string;
    if (ch !== '\n' && ch !== '\r') hasContent = true;
    if (ch === '"' && (inQuotes || fieldStart)) {
      if (inQuotes && text[i + 1] === '"') i += 1;
      else inQuotes = !inQuotes;
      fieldStart = false;
    } else if (inQuotes) {
      continue;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      if (hasContent) records.push(current);
      current = emptyCounts();
      hasContent = false;
      fieldStart = true;
    } else {
      if (ch in current) current[ch as Delimiter] += 1;
      fieldStart = ch in current;
    }
  }
  if (complete && records.length < SAMPLE_RECORDS && hasContent) {
    records.push(current);
  }
  return records.length > 0 ? records : [current];
}

function emptyCounts(): Counts {
  return { ',': 0, ';': 0, '\t': 0, '|': 0 };
}

function modeOf(values: number[]): number {
  const tally = new Map<number, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  let mode = 0;
  let top = 0;
  for (const [value, count] of tally) {
    if (count > top || (count === top && value > mode)) {
      mode = value;
      top = count;
    }
  }
  return mode;
}
