const TO_PASCAL: Record<string, string> = {
  asin: 'ASIN',
  url: 'URL',
  eans: 'EANs',
  upcs: 'UPCs',
  isbns: 'ISBNs',
};

/** PA-API spelling of a camelCase key (`detailPageURL` → `DetailPageURL`, `eans` → `EANs`). */
export function pascalKey(key: string): string {
  return TO_PASCAL[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

/** Converts a camelCase response tree to PA-API's PascalCase. */
export function toPascalDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPascalDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[pascalKey(k)] = toPascalDeep(v);
  return out;
}

/** camelCase name of a top-level PA-API request field (`ItemIds` → `itemIds`, `ASIN` → `asin`). */
export function camelKey(key: string): string {
  if (key === 'ASIN') return 'asin';
  return key.charAt(0).toLowerCase() + key.slice(1);
}
