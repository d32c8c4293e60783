import { parseCode } from '../codes/index.js';

/** The sentence that explains why a row's code was refused, for the result file. */
export function describeRejection(raw: string | null, reason: string | null): string {
  const parsed = parseCode(raw);
  if (!parsed.valid) return parsed.message;
  return reason ?? 'invalid code';
}
