/** Creators API credential region: NA (x.1), EU (x.2), FE (x.3). */
export type CreatorsRegion = 'NA' | 'EU' | 'FE';

/** One Amazon store as the emulator knows it. */
export interface MarketplaceInfo {
  /** `www.amazon.fr` */
  domain: string;
  region: CreatorsRegion;
  /** SigV4 signing region of PA-API 5.0 for this store. */
  paapiRegion: string;
  /** PA-API 5.0 host, e.g. `webservices.amazon.fr`. */
  paapiHost: string;
  locale: string;
  currency: string;
}

const TABLE: [string, CreatorsRegion, string, string][] = [
  ['www.amazon.com', 'NA', 'en_US', 'USD'],
  ['www.amazon.ca', 'NA', 'en_CA', 'CAD'],
  ['www.amazon.com.mx', 'NA', 'es_MX', 'MXN'],
  ['www.amazon.com.br', 'NA', 'pt_BR', 'BRL'],
  ['www.amazon.co.uk', 'EU', 'en_GB', 'GBP'],
  ['www.amazon.de', 'EU', 'de_DE', 'EUR'],
  ['www.amazon.fr', 'EU', 'fr_FR', 'EUR'],
  ['www.amazon.it', 'EU', 'it_IT', 'EUR'],
  ['www.amazon.es', 'EU', 'es_ES', 'EUR'],
  ['www.amazon.nl', 'EU', 'nl_NL', 'EUR'],
  ['www.amazon.com.be', 'EU', 'fr_BE', 'EUR'],
  ['www.amazon.eg', 'EU', 'en_AE', 'EGP'],
  ['www.amazon.in', 'EU', 'en_IN', 'INR'],
  ['www.amazon.ie', 'EU', 'en_IE', 'EUR'],
  ['www.amazon.pl', 'EU', 'pl_PL', 'PLN'],
  ['www.amazon.sa', 'EU', 'en_AE', 'SAR'],
  ['www.amazon.se', 'EU', 'sv_SE', 'SEK'],
  ['www.amazon.com.tr', 'EU', 'tr_TR', 'TRY'],
  ['www.amazon.ae', 'EU', 'en_AE', 'AED'],
  ['www.amazon.co.jp', 'FE', 'ja_JP', 'JPY'],
  ['www.amazon.sg', 'FE', 'en_SG', 'SGD'],
  ['www.amazon.com.au', 'FE', 'en_AU', 'AUD'],
];

const PAAPI_REGION: Record<CreatorsRegion, string> = {
  NA: 'us-east-1',
  EU: 'eu-west-1',
  FE: 'us-west-2',
};

/** Every store of reference §1.3, keyed by domain. */
export const MARKETPLACES: ReadonlyMap<string, MarketplaceInfo> = new Map(
  TABLE.map(([domain, region, locale, currency]) => [
    domain,
    {
      domain,
      region,
      paapiRegion: PAAPI_REGION[region],
      paapiHost: domain.replace(/^www\./, 'webservices.'),
      locale,
      currency,
    },
  ]),
);

/** The store of a domain, or undefined for an unknown one. */
export function findMarketplace(domain: string): MarketplaceInfo | undefined {
  return MARKETPLACES.get(domain.trim().toLowerCase());
}

/** The store served by a PA-API host (`webservices.amazon.fr` → www.amazon.fr), if any. */
export function marketplaceOfPaapiHost(host: string): MarketplaceInfo | undefined {
  const bare = host.toLowerCase().replace(/:\d+$/, '');
  for (const info of MARKETPLACES.values()) if (info.paapiHost === bare) return info;
  return undefined;
}

/** Region of a Creators credential version: 2.1/3.1 NA, 2.2/3.2 EU, 2.3/3.3 FE. */
export function regionOfVersion(version: string): CreatorsRegion | undefined {
  const m = /^[23]\.([123])$/.exec(version);
  if (!m) return undefined;
  return m[1] === '1' ? 'NA' : m[1] === '2' ? 'EU' : 'FE';
}

/** The Creators region of a PA-API signing region. */
export function regionOfPaapiRegion(region: string): CreatorsRegion | undefined {
  const entry = Object.entries(PAAPI_REGION).find(([, r]) => r === region);
  return entry?.[0] as CreatorsRegion | undefined;
}

/** Search indexes accepted by `searchIndex` (the French list of reference §1.3). */
export const SEARCH_INDEXES: ReadonlySet<string> = new Set(
  (
    'All Apparel Appliances Automotive Baby Beauty Books Computers DigitalMusic Electronics ' +
    'EverythingElse Fashion ForeignBooks GardenAndOutdoor GiftCards GroceryAndGourmetFood Handmade ' +
    'HealthPersonalCare HomeAndKitchen Industrial Jewelry KindleStore Lighting Luggage LuxuryBeauty ' +
    'MobileApps MoviesAndTV Music MusicalInstruments OfficeProducts PetSupplies Shoes Software ' +
    'SportsAndOutdoors ToolsAndHomeImprovement ToysAndGames VHS VideoGames Watches'
  ).split(' '),
);
