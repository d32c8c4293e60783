import type { AmazonProduct } from './amazon-product.js';

// Short words that carry no identity in product titles (several languages: files come from
// suppliers across the EU marketplaces).
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'the', 'of', 'for', 'with', 'in', 'on', 'by', 'to',
  'de', 'du', 'des', 'la', 'le', 'les', 'et', 'au', 'aux', 'pour', 'avec',
  'und', 'der', 'die', 'das', 'mit', 'fur', 'von', 'el', 'los', 'las', 'y', 'con', 'il', 'di', 'e',
]); // prettier-ignore

const COMPANY_SUFFIXES = /\b(inc|ltd|llc|gmbh|ag|sa|sas|sarl|srl|spa|bv|nv|co|corp|plc|kg)\b/g;

/** Lower case, accents removed, `400 g` joined to `400g`, punctuation to spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/(\d)[.,](\d)/g, '$1$2')
    .replace(/(\d)\s+(g|kg|mg|ml|cl|l|oz|lb|cm|mm|m)\b/g, '$1$2')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Distinct meaningful tokens of a title. */
export function titleTokens(text: string): string[] {
  const tokens = normalizeText(text)
    .split(' ')
    .filter((t) => t.length > 0 && !STOP_WORDS.has(t));
  return [...new Set(tokens)];
}

/**
 * Similarity (0–1) of the row's own title to an item's title: the mean of how much of the row
 * title the item covers (supplier titles are short, Amazon's long) and the Dice coefficient
 * (so a one-word row title does not match every long title). Tokens agree when equal or when one
 * is a prefix (≥ 4 letters) of the other ("choc" / "chocolate").
 */
export function titleSimilarity(rowTitle: string, itemTitle: string): number {
  const row = titleTokens(rowTitle);
  const item = titleTokens(itemTitle);
  if (row.length === 0 || item.length === 0) return 0;
  const shared = row.filter((r) => item.some((i) => tokensAgree(r, i))).length;
  const coverage = shared / row.length;
  const dice = (2 * shared) / (row.length + item.length);
  return (coverage + dice) / 2;
}

function tokensAgree(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 4 && !/^\d+$/.test(short) && long.startsWith(short);
}

/** A brand reduced to letters and digits, without company suffixes. */
export function normalizeBrand(brand: string): string {
  return normalizeText(brand).replace(COMPANY_SUFFIXES, ' ').replace(/\s+/g, '');
}

/**
 * Whether the row's brand agrees with the item: equal (after normalising) to its brand or
 * manufacturer, or one containing the other; when the item gives neither, the brand named in its
 * title. `null` when there is nothing to compare with.
 */
export function brandAgreement(rowBrand: string, item: AmazonProduct): 'match' | 'mismatch' | null {
  const row = normalizeBrand(rowBrand);
  if (row.length === 0) return null;
  const names = [item.brand, item.manufacturer]
    .filter((b): b is string => b !== null && b.trim() !== '')
    .map(normalizeBrand)
    .filter((b) => b.length > 0);
  if (names.length > 0) return names.some((name) => brandsAgree(row, name)) ? 'match' : 'mismatch';
  if (row.length >= 3 && item.title && compact(item.title).includes(row)) return 'match';
  return null;
}

function brandsAgree(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.includes(short);
}

function compact(text: string): string {
  return normalizeText(text).replace(/\s+/g, '');
}
