import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Which proxies in front of the service are trusted to say who the client is (Fastify's
 * `trustProxy`): false (none: the TCP peer is the client), true (every hop), a hop count, or
 * the addresses and CIDR ranges of the proxies (`loopback`, `linklocal`, `uniquelocal` too).
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** Reads CODE2ASIN_TRUST_PROXY; null when the text is none of the accepted forms. */
export function parseTrustProxy(text: string): TrustProxy | null {
  const v = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(v)) return true;
  if (FALSE_WORDS.includes(v) || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(',').map((p) => p.trim());
  const valid = list.every(
    (p) =>
      NAMED_RANGES.includes(p) ||
      ipaddr.IPv4.isValidFourPartDecimal(p) ||
      ipaddr.IPv4.isValidCIDRFourPartDecimal(p) ||
      ipaddr.IPv6.isValid(p) ||
      ipaddr.IPv6.isValidCIDR(p),
  );
  return valid ? list : null;
}

export const trustProxySchema = z.string().transform((v, ctx) => {
  const parsed = parseTrustProxy(v);
  if (parsed === null) {
    ctx.addIssue({ code: 'custom', message: 'not true, false, a hop count or addresses/CIDRs' });
    return z.NEVER;
  }
  return parsed;
});
