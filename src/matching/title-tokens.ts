/**
 * A product-title tokenizer shared by the phrase readers (pack sizes, measures, variant words):
 * lower case, accents removed, numbers split from letters ("6x33cl" → `6` `x` `33` `cl`,
 * "6er-Pack" → `6` `er` `-` `pack`), punctuation kept as its own token so a reader can tell
 * "(6 x 1 L)" from "model X100". `glued` says a token touched the previous one (no space), which
 * is how "X100" (a model) differs from "x 8" at the end of a title.
 */
export interface TitleToken {
  kind: 'num' | 'word' | 'punct';
  /** Normalised text: lower case, no accents; a number with `.` as decimal separator. */
  text: string;
  /** The numeric value of a `num` token (NaN otherwise). */
  value: number;
  /** True when nothing (no space) separated this token from the previous one. */
  glued: boolean;
}

const TOKEN = /(\d+(?:[.,]\d+)?)|([a-z]+)|([^\sa-z\d])/g;

/** Lower case without accents; `ß` → `ss`, `×` → `x`. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[×✕]/g, 'x')
    .replace(/[’`´]/g, "'");
}

/** Splits a title into number, word and punctuation tokens. */
export function tokenizeTitle(text: string): TitleToken[] {
  const folded = foldText(text);
  const tokens: TitleToken[] = [];
  let end = -1;
  for (const m of folded.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    const glued = index === end;
    end = index + m[0].length;
    if (m[1] !== undefined) {
      const text = m[1].replace(',', '.');
      tokens.push({ kind: 'num', text, value: Number(text), glued });
    } else if (m[2] !== undefined) {
      tokens.push({ kind: 'word', text: m[2], value: NaN, glued });
    } else {
      tokens.push({ kind: 'punct', text: m[0], value: NaN, glued });
    }
  }
  return tokens;
}

/** Units of a measured quantity, to the dimension and the factor to its base unit. */
export const MEASURE_UNITS: ReadonlyMap<string, { dimension: 'mass' | 'volume'; factor: number }> =
  new Map([
    ['mg', { dimension: 'mass', factor: 0.001 }],
    ['g', { dimension: 'mass', factor: 1 }],
    ['gr', { dimension: 'mass', factor: 1 }],
    ['grammes', { dimension: 'mass', factor: 1 }],
    ['gramm', { dimension: 'mass', factor: 1 }],
    ['kg', { dimension: 'mass', factor: 1000 }],
    ['oz', { dimension: 'mass', factor: 28.35 }],
    ['lb', { dimension: 'mass', factor: 453.6 }],
    ['lbs', { dimension: 'mass', factor: 453.6 }],
    ['ml', { dimension: 'volume', factor: 1 }],
    ['cl', { dimension: 'volume', factor: 10 }],
    ['dl', { dimension: 'volume', factor: 100 }],
    ['l', { dimension: 'volume', factor: 1000 }],
    ['ltr', { dimension: 'volume', factor: 1000 }],
    ['litre', { dimension: 'volume', factor: 1000 }],
    ['litres', { dimension: 'volume', factor: 1000 }],
    ['liter', { dimension: 'volume', factor: 1000 }],
    ['liters', { dimension: 'volume', factor: 1000 }],
    ['litro', { dimension: 'volume', factor: 1000 }],
    ['litros', { dimension: 'volume', factor: 1000 }],
    ['litri', { dimension: 'volume', factor: 1000 }],
  ]);

/** Units of length: "20 x 30 cm" is a size, not 20 packs. */
export const LENGTH_UNITS: ReadonlySet<string> = new Set([
  'mm',
  'cm',
  'm',
  'in',
  'inch',
  'inches',
  'ft',
  'zoll',
  'pouces',
  '"',
]);

/** Whether the token at `i` is a unit of a measured quantity (mass or volume). */
export function isMeasureUnit(tokens: readonly TitleToken[], i: number): boolean {
  const t = tokens[i];
  return t !== undefined && t.kind === 'word' && MEASURE_UNITS.has(t.text);
}

/** Whether the token at `i` is a unit of length (or the inch sign). */
export function isLengthUnit(tokens: readonly TitleToken[], i: number): boolean {
  const t = tokens[i];
  return t !== undefined && LENGTH_UNITS.has(t.text);
}
