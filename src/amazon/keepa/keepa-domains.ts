import type { Marketplace } from '../marketplaces.js';

/**
 * Keepa's `domain` ids (reference §4: KeepaAPI AmazonLocale; 7 was China, now unused). Keepa
 * serves only these stores: another marketplace cannot be looked up through Keepa.
 */
const KEEPA_DOMAIN_IDS: Readonly<Record<string, number>> = Object.freeze({
  'www.amazon.com': 1,
  'www.amazon.co.uk': 2,
  'www.amazon.de': 3,
  'www.amazon.fr': 4,
  'www.amazon.co.jp': 5,
  'www.amazon.ca': 6,
  'www.amazon.it': 8,
  'www.amazon.es': 9,
  'www.amazon.in': 10,
  'www.amazon.com.mx': 11,
  'www.amazon.com.br': 12,
});

/** Keepa's domain id of a marketplace, or undefined when Keepa does not cover it. */
export function keepaDomainId(m: Pick<Marketplace, 'domain'>): number | undefined {
  return KEEPA_DOMAIN_IDS[m.domain];
}

/** The marketplaces Keepa covers, for messages. */
export const KEEPA_DOMAINS: readonly string[] = Object.freeze(Object.keys(KEEPA_DOMAIN_IDS));
