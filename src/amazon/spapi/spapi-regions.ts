import type { CreatorsRegion, Marketplace } from '../marketplaces.js';

/** SP-API hosts per region (reference §3.1); AMAZON_SPAPI_ENDPOINT replaces them. */
export const SPAPI_HOSTS: Readonly<Record<CreatorsRegion, string>> = Object.freeze({
  NA: 'https://sellingpartnerapi-na.amazon.com',
  EU: 'https://sellingpartnerapi-eu.amazon.com',
  FE: 'https://sellingpartnerapi-fe.amazon.com',
});

/** The Login with Amazon token endpoint Amazon's own SP-API clients use for every region (§3.2). */
export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

/** Marketplace ids by store domain (reference §3.1, developer-docs "marketplace-ids"). */
const MARKETPLACE_IDS: Readonly<Record<string, string>> = Object.freeze({
  'www.amazon.ca': 'A2EUQ1WTGCTBG2',
  'www.amazon.com': 'ATVPDKIKX0DER',
  'www.amazon.com.mx': 'A1AM78C64UM0Y8',
  'www.amazon.com.br': 'A2Q3Y263D00KWC',
  'www.amazon.ie': 'A28R8C7NBKEWEA',
  'www.amazon.es': 'A1RKKUPIHCS9HS',
  'www.amazon.co.uk': 'A1F83G8C2ARO7P',
  'www.amazon.fr': 'A13V1IB3VIYZZH',
  'www.amazon.com.be': 'AMEN7PMS3EDWL',
  'www.amazon.nl': 'A1805IZSGTT6HS',
  'www.amazon.de': 'A1PA6795UKMFR9',
  'www.amazon.it': 'APJ6JRA9NG5V4',
  'www.amazon.se': 'A2NODRKZP88ZB9',
  'www.amazon.pl': 'A1C3SOZRARQ6R3',
  'www.amazon.eg': 'ARBP9OOSHTCHU',
  'www.amazon.com.tr': 'A33AVAJ2PDY3EV',
  'www.amazon.sa': 'A17E79C6D8DWNP',
  'www.amazon.ae': 'A2VIGQ35RCS4UG',
  'www.amazon.in': 'A21TJRUUN4KGV',
  'www.amazon.sg': 'A19VAU5U5O7RUS',
  'www.amazon.com.au': 'A39IBJ37TRP1C6',
  'www.amazon.co.jp': 'A1VC38T7YXB528',
});

/** The SP-API marketplace id of a store; undefined for a store SP-API does not list. */
export function spapiMarketplaceId(m: Pick<Marketplace, 'domain'>): string | undefined {
  return MARKETPLACE_IDS[m.domain];
}

/** The store domain of a marketplace id (the emulator answers in domains). */
export function domainOfMarketplaceId(id: string): string | undefined {
  return Object.entries(MARKETPLACE_IDS).find(([, v]) => v === id)?.[0];
}

/** The API base URL for a marketplace: the override, else the host of its region. */
export function spapiBaseUrl(m: Pick<Marketplace, 'region'>, override?: string): string {
  return (override ?? SPAPI_HOSTS[m.region]).replace(/\/+$/, '');
}
