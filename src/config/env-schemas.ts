import { z } from 'zod';

/** One row of the README configuration table: the variable's schema, what it expects, whether secret. */
export interface VariableSpec {
  schema: z.ZodTypeAny;
  expected: string;
  secret?: boolean;
}

/** The parsed values of a set of variables, by name. */
export type ParsedOf<V extends Record<string, VariableSpec>> = {
  [K in keyof V]: z.output<V[K]['schema']>;
};

export const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'not a boolean')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

export const httpUrl = z
  .string()
  .trim()
  .url()
  .refine((v) => /^https?:\/\//.test(v), 'not an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

export const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v));

export const positiveNumber = z.coerce.number().positive();

/** Decodes a 32-byte key given as hex or base64; null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t) || /^[A-Za-z0-9_-]{43}$/.test(t)) {
    const b = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (b.length === 32) return b;
  }
  return null;
}
