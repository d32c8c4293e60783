import type { CredentialVersion } from './env.js';

/** Creators API region of a marketplace; it decides the credential versions that work there. */
export type CreatorsRegion = 'NA' | 'EU' | 'FE';

/** One Amazon store, with what both providers need to talk to it. */
export interface Marketplace {
  /** The `x-marketplace` / `Marketplace` value, e.g. `www.amazon.fr`. */
  domain: string;
  /** Lower-case ISO country code (`gb` for the UK store; `uk` is accepted by the lookups). */
  countryCode: string;
  name: string;
  region: CreatorsRegion;
  /** Default `currencyOfPreference` of the store. */
  currency: string;
  /** Default `languagesOfPreference` entry of the store, e.g. `fr_FR`. */
  defaultLanguage: string;
  /** PA-API 5.0 host (`webservices.amazon.<tld>`). */
  paapiHost: string;
  /** AWS region PA-API requests are signed for. */
  paapiRegion: string;
  /** Creators API credential versions valid for this store (2.x Cognito, 3.x Login with Amazon). */
  credentialVersions: readonly CredentialVersion[];
}

const VERSIONS: Record<CreatorsRegion, readonly CredentialVersion[]> = {
  NA: ['2.1', '3.1'],
  EU: ['2.2', '3.2'],
  FE: ['2.3', '3.3'],
};

const PAAPI_REGION: Record<CreatorsRegion, string> = {
  NA: 'us-east-1',
  EU: 'eu-west-1',
  FE: 'us-west-2',
};

type Row = [string, string, string, CreatorsRegion, string, string];

// Reference §1.3 (domains, regions, documented locale defaults) and §2.2 (PA-API hosts).
// Defaults not quoted in the reference come from the PA-API locale pages. The PA-API host of
// Ireland is not confirmed anywhere (reference §7.12): it follows the `webservices.<domain>` rule.
const ROWS: readonly Row[] = [
  ['www.amazon.com', 'us', 'United States', 'NA', 'USD', 'en_US'],
  ['www.amazon.ca', 'ca', 'Canada', 'NA', 'CAD', 'en_CA'],
  ['www.amazon.com.mx', 'mx', 'Mexico', 'NA', 'MXN', 'es_MX'],
  ['www.amazon.com.br', 'br', 'Brazil', 'NA', 'BRL', 'pt_BR'],
  ['www.amazon.co.uk', 'gb', 'United Kingdom', 'EU', 'GBP', 'en_GB'],
  ['www.amazon.de', 'de', 'Germany', 'EU', 'EUR', 'de_DE'],
  ['www.amazon.fr', 'fr', 'France', 'EU', 'EUR', 'fr_FR'],
  ['www.amazon.it', 'it', 'Italy', 'EU', 'EUR', 'it_IT'],
  ['www.amazon.es', 'es', 'Spain', 'EU', 'EUR', 'es_ES'],
  ['www.amazon.nl', 'nl', 'Netherlands', 'EU', 'EUR', 'nl_NL'],
  ['www.amazon.com.be', 'be', 'Belgium', 'EU', 'EUR', 'fr_BE'],
  ['www.amazon.eg', 'eg', 'Egypt', 'EU', 'EGP', 'en_AE'],
  ['www.amazon.in', 'in', 'India', 'EU', 'INR', 'en_IN'],
  ['www.amazon.ie', 'ie', 'Ireland', 'EU', 'EUR', 'en_IE'],
  ['www.amazon.pl', 'pl', 'Poland', 'EU', 'PLN', 'pl_PL'],
  ['www.amazon.sa', 'sa', 'Saudi Arabia', 'EU', 'SAR', 'en_AE'],
  ['www.amazon.se', 'se', 'Sweden', 'EU', 'SEK', 'sv_SE'],
  ['www.amazon.com.tr', 'tr', 'Turkey', 'EU', 'TRY', 'tr_TR'],
  ['www.amazon.ae', 'ae', 'United Arab Emirates', 'EU', 'AED', 'en_AE'],
  ['www.amazon.co.jp', 'jp', 'Japan', 'FE', 'JPY', 'ja_JP'],
  ['www.amazon.sg', 'sg', 'Singapore', 'FE', 'SGD', 'en_SG'],
  ['www.amazon.com.au', 'au', 'Australia', 'FE', 'AUD', 'en_AU'],
];

/** Every marketplace the Creators API serves, in the reference's order by region. */
export const MARKETPLACES: readonly Marketplace[] = Object.freeze(
  ROWS.map(([domain, countryCode, name, region, currency, defaultLanguage]) =>
    Object.freeze({
      domain,
      countryCode,
      name,
      region,
      currency,
      defaultLanguage,
      paapiHost: domain.replace(/^www\./, 'webservices.'),
      paapiRegion: PAAPI_REGION[region],
      credentialVersions: VERSIONS[region],
    }),
  ),
);

const ALIASES: Record<string, string> = { uk: 'gb' };

/**
 * Finds a marketplace by domain (`www.amazon.fr`, `amazon.fr`, `https://www.amazon.fr/`) or
 * country code (`fr`, `FR`, `uk`). Undefined when unknown.
 */
export function findMarketplace(key: string): Marketplace | undefined {
  const k = key
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '');
  if (/^[a-z]{2}$/.test(k)) {
    const cc = ALIASES[k] ?? k;
    return MARKETPLACES.find((m) => m.countryCode === cc);
  }
  const domain = k.startsWith('www.') ? k : `www.${k}`;
  return MARKETPLACES.find((m) => m.domain === domain);
}

/** Like findMarketplace, but throws a RangeError listing the valid values. */
export function getMarketplace(key: string): Marketplace {
  const m = findMarketplace(key);
  if (!m) {
    const known = MARKETPLACES.map((x) => `${x.countryCode} (${x.domain})`).join(', ');
    throw new RangeError(`Unknown Amazon marketplace "${key}"; use one of ${known}.`);
  }
  return m;
}

/** True when a Creators credential of this version may call this marketplace. */
export function isVersionValidFor(m: Marketplace, version: string): boolean {
  return (m.credentialVersions as readonly string[]).includes(version);
}
