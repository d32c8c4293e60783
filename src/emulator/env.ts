import type {
  CreatorsCredential,
  EmulatorCatalog,
  KeepaCredential,
  PaapiCredential,
  SpapiCredential,
} from './catalog.js';
import { findMarketplace, regionOfVersion } from './marketplaces.js';

function firstMarket(
  catalog: EmulatorCatalog,
  allowed: string[] | undefined,
  inRegion: (domain: string) => boolean,
): string {
  const served = Object.keys(catalog.marketplaces);
  const candidates = allowed?.length ? allowed : served;
  return (
    candidates.find((d) => served.includes(d) && inRegion(d)) ?? candidates[0] ?? 'www.amazon.fr'
  );
}

/** `AMAZON_*` variables pointing the service at the emulator with a Creators credential. */
export function creatorsEnv(
  url: string,
  catalog: EmulatorCatalog,
  c: CreatorsCredential,
): Record<string, string> {
  const region = regionOfVersion(c.version);
  const tokenPath = c.version.startsWith('3.') ? '/auth/o2/token' : '/oauth2/token';
  return {
    AMAZON_PROVIDER: 'creators',
    AMAZON_CREATORS_CREDENTIAL_ID: c.id,
    AMAZON_CREATORS_CREDENTIAL_SECRET: c.secret,
    AMAZON_CREATORS_CREDENTIAL_VERSION: c.version,
    AMAZON_CREATORS_API_URL: url,
    AMAZON_CREATORS_TOKEN_URL: `${url}${tokenPath}`,
    AMAZON_ASSOCIATE_TAG: c.partnerTag,
    AMAZON_MARKETPLACE: firstMarket(
      catalog,
      c.marketplaces,
      (d) => findMarketplace(d)?.region === region,
    ),
  };
}

/**
 * `AMAZON_*` variables for a PA-API key pair. `AMAZON_PAAPI_HOST` is the emulator's host:port:
 * SigV4 signs the Host header actually sent, and fetch cannot send another one.
 */
export function paapiEnv(
  url: string,
  catalog: EmulatorCatalog,
  c: PaapiCredential,
): Record<string, string> {
  return {
    AMAZON_PROVIDER: 'paapi',
    AMAZON_PAAPI_ACCESS_KEY: c.accessKey,
    AMAZON_PAAPI_SECRET_KEY: c.secretKey,
    AMAZON_PAAPI_ENDPOINT: url,
    AMAZON_PAAPI_REGION: c.region,
    AMAZON_PAAPI_HOST: new URL(url).host,
    AMAZON_ASSOCIATE_TAG: c.partnerTag,
    AMAZON_MARKETPLACE: firstMarket(
      catalog,
      c.marketplaces,
      (d) => findMarketplace(d)?.paapiRegion === c.region,
    ),
  };
}

/**
 * `AMAZON_*` variables for an SP-API app: the emulator is both the regional SP-API host and the
 * Login with Amazon token endpoint. No Associates tag: SP-API does not use one.
 */
export function spapiEnv(
  url: string,
  catalog: EmulatorCatalog,
  c: SpapiCredential,
): Record<string, string> {
  return {
    AMAZON_PROVIDER: 'spapi',
    AMAZON_SPAPI_CLIENT_ID: c.clientId,
    AMAZON_SPAPI_CLIENT_SECRET: c.clientSecret,
    AMAZON_SPAPI_REFRESH_TOKEN: c.refreshToken,
    AMAZON_SPAPI_ENDPOINT: url,
    AMAZON_SPAPI_TOKEN_URL: `${url}/auth/o2/token`,
    AMAZON_MARKETPLACE: firstMarket(catalog, c.marketplaces, () => true),
  };
}

/** Marketplaces Keepa covers (its `domain` ids 1–12), in the order a default is picked. */
const KEEPA_DOMAINS = [
  'www.amazon.fr',
  'www.amazon.de',
  'www.amazon.co.uk',
  'www.amazon.it',
  'www.amazon.es',
  'www.amazon.com',
  'www.amazon.ca',
  'www.amazon.co.jp',
  'www.amazon.in',
  'www.amazon.com.mx',
  'www.amazon.com.br',
];

/**
 * `AMAZON_*` variables for a Keepa key: the emulator serves `/product` and `/token` at its root,
 * as `https://api.keepa.com` does. No Associates tag: Keepa needs none.
 */
export function keepaEnv(
  url: string,
  catalog: EmulatorCatalog,
  k: KeepaCredential,
): Record<string, string> {
  const served = Object.keys(catalog.marketplaces);
  return {
    AMAZON_PROVIDER: 'keepa',
    AMAZON_KEEPA_KEY: k.key,
    AMAZON_KEEPA_API_URL: url,
    AMAZON_MARKETPLACE: KEEPA_DOMAINS.find((d) => served.includes(d)) ?? 'www.amazon.fr',
  };
}

/** Formats variables as `KEY=value` lines. */
export function formatEnv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/**
 * One block for both protocols: the Creators variables (the default provider) followed by the
 * PA-API ones, so that pasting it keeps `AMAZON_PROVIDER=creators`.
 */
export function mergeEnv(
  creators: Record<string, string>,
  ...others: (Record<string, string> | undefined)[]
) {
  const out = { ...creators };
  for (const other of others)
    for (const [k, v] of Object.entries(other ?? {})) if (!(k in out)) out[k] = v;
  return out;
}
