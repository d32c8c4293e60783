/**
 * Tolerant readers over parsed JSON of either protocol. Keys are matched without regard to case,
 * so `itemInfo`/`ItemInfo`, `eans`/`EANs`, `url`/`URL` are one key; `null`, missing members and
 * unknown fields are all fine.
 */

/** The member `key` of `obj` (case-insensitive), or null. */
export function field(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const rec = obj as Record<string, unknown>;
  if (key in rec) return rec[key] ?? null;
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k] ?? null;
  return null;
}

/** Follows a path of members; null as soon as one is missing. */
export function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    cur = field(cur, key);
    if (cur === null) return null;
  }
  return cur;
}

/** A non-empty string, or null. Numbers are accepted and turned to text. */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A finite number (also from a numeric string), or null. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** An array, or an empty one. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The first of several alternative member names present (e.g. `itemsResult` / `itemResults`). */
export function firstField(obj: unknown, ...keys: string[]): unknown {
  for (const k of keys) {
    const v = field(obj, k);
    if (v !== null) return v;
  }
  return null;
}
