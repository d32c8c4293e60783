import type { CatalogProduct } from './catalog.js';

/** Lower case, accents removed, for word matching. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

export function tokens(text: string): string[] {
  return normalizeText(text)
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

/** The words a keyword search matches: title, brand, manufacturer, hidden search terms. */
export function searchableTokens(p: CatalogProduct): Set<string> {
  const text = [p.title, p.brand ?? '', p.manufacturer ?? '', ...(p.searchTerms ?? [])].join(' ');
  return new Set(tokens(text));
}
