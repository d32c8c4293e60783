/** Keys whose values are always secret, wherever they appear in a logged object. */
const SECRET_KEY =
  /(secret|password|passwd|token|authorization|api[-_]?key|access[-_]?key|credential[-_]?secret|cookie|signature|private[-_]?key|client[-_]?secret)/i;
/** Keys that match SECRET_KEY by name but hold no secret (counts, ids, flags). */
const NOT_SECRET_KEY =
  /^(token_?count|tokens_left|token_?type|token_?url|has_.*|.*_?id|expires_?in|.*_?source)$/i;

export const REDACTED = '[REDACTED]';

/** Inline secrets in free text: `Bearer x`, `client_secret=x`, `Signature=x`, `"secret":"x"`. */
const INLINE_PATTERNS: readonly RegExp[] = [
  /(Bearer\s+)[A-Za-z0-9._~+/|=-]+/gi,
  /(Basic\s+)[A-Za-z0-9+/=]+/gi,
  /((?:client_secret|secret|password|token|access_token|api_key|key)=)[^&\s"']+/gi,
  /(Signature=)[0-9a-f]+/gi,
  /("(?:client_secret|secret|password|access_token|token|secretKey|credentialSecret)"\s*:\s*")[^"]*/gi,
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+(@)/gi,
];

/** Replaces known secret values and secret-looking fragments in a string. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join(REDACTED);
  for (const re of INLINE_PATTERNS) {
    out = out.replace(re, (_m, pre: string, post?: string) =>
      typeof post === 'string' && post === '@' ? `${pre}${REDACTED}@` : `${pre}${REDACTED}`,
    );
  }
  return out;
}

/**
 * Returns a copy of `value` with secrets removed: values under secret-named keys, known secret
 * values anywhere, and inline credentials in strings. Cycles and depth are bounded.
 */
export function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[…]';
  if (value instanceof Error) {
    const out: Record<string, unknown> = {
      type: value.name,
      message: redactText(value.message, secrets),
      stack: value.stack ? redactText(value.stack, secrets) : undefined,
    };
    for (const [k, v] of Object.entries(value)) out[k] = redactEntry(k, v, secrets, depth);
    if ('cause' in value && value.cause !== undefined)
      out.cause = redact(value.cause, secrets, depth + 1);
    return out;
  }
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactEntry(k, v, secrets, depth);
  return out;
}

function redactEntry(key: string, v: unknown, secrets: readonly string[], depth: number): unknown {
  if (
    SECRET_KEY.test(key) &&
    !NOT_SECRET_KEY.test(key) &&
    v !== null &&
    v !== undefined &&
    v !== ''
  ) {
    if (typeof v === 'string' || typeof v === 'number' || Buffer.isBuffer(v)) return REDACTED;
    if (Array.isArray(v)) return v.map(() => REDACTED);
  }
  return redact(v, secrets, depth + 1);
}
