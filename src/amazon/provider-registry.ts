import { createHash } from 'node:crypto';
import type { ProviderName } from '../config/provider-names.js';
import type { AmazonClientDeps, ProviderEntry } from './provider-entry.js';
import { createCreatorsTransport } from './creators/creators-transport.js';
import { AmazonError } from './errors.js';
import { isVersionValidFor, type Marketplace } from './marketplaces.js';
import { keepaProviderEntry } from './keepa/keepa-entry.js';
import { createPaapiTransport } from './paapi/paapi-transport.js';
import { createProvider, type Transport } from './provider-core.js';
import type { AmazonSettings } from './provider.js';
import { createSpapiProvider } from './spapi/spapi-provider.js';

const CONFIG = 'or PUT /api/v1/amazon/config';

export type { ProviderEntry } from './provider-entry.js';

/**
 * Every provider, by name. The one place that knows which providers exist: a provider is added by
 * its name in `config/provider-names.ts` and its entry here (the type makes the entry required).
 */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderEntry>> = Object.freeze({
  creators: {
    create: (s, m, deps, o) => createProvider(creatorsTransport(s, m, partnerTagOf(s, m), deps), o),
    credentialOf: (s: AmazonSettings) => ['creators', s.creators.credentialId, s.creators.apiUrl],
  },
  paapi: {
    create: (s, m, deps, o) => createProvider(paapiTransport(s, m, partnerTagOf(s, m), deps), o),
    credentialOf: (s: AmazonSettings) => [
      'paapi',
      s.paapi.accessKey,
      s.paapi.endpoint ?? s.paapi.host,
    ],
  },
  spapi: {
    create: (s, m, deps, o) => createSpapiProvider(s, m, deps, o),
    // SP-API counts the quota per selling partner and app: the refresh token names both.
    credentialOf: (s: AmazonSettings) => [
      'spapi',
      s.spapi.clientId,
      s.spapi.endpoint,
      s.spapi.refreshToken ? fingerprint(s.spapi.refreshToken) : null,
    ],
  },
  keepa: keepaProviderEntry,
});

/** A short non-reversible name of a secret (quota keys must never hold the secret itself). */
function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** The Associates tag the Creators API and PA-API put in every request (other providers need none). */
function partnerTagOf(settings: AmazonSettings, marketplace: Marketplace): string {
  const partnerTag = settings.associateTag?.trim();
  if (partnerTag) return partnerTag;
  throw new AmazonError(
    'auth',
    `No Associates tag: set AMAZON_ASSOCIATE_TAG to your tracking id for ${marketplace.domain} (e.g. mystore-21) ${CONFIG}.`,
    { reason: 'MissingPartnerTag' },
  );
}

function creatorsTransport(
  s: AmazonSettings,
  m: Marketplace,
  partnerTag: string,
  deps: AmazonClientDeps,
): Transport {
  const c = s.creators;
  if (!c.credentialId || !c.credentialSecret) {
    throw new AmazonError(
      'auth',
      `No Creators API credentials: set AMAZON_CREATORS_CREDENTIAL_ID and AMAZON_CREATORS_CREDENTIAL_SECRET (Associates Central → Tools → Creators API) ${CONFIG}.`,
      { reason: 'MissingCredential' },
    );
  }
  if (!isVersionValidFor(m, c.credentialVersion)) {
    throw new AmazonError(
      'auth',
      `Credential version ${c.credentialVersion} cannot call ${m.domain} (${m.region} region needs ${m.credentialVersions.join(' or ')}): set AMAZON_CREATORS_CREDENTIAL_VERSION to the version shown with the credential ${CONFIG}.`,
      { reason: 'VersionMismatch' },
    );
  }
  return createCreatorsTransport({
    marketplace: m,
    partnerTag,
    credentialId: c.credentialId,
    credentialSecret: c.credentialSecret,
    credentialVersion: c.credentialVersion,
    apiUrl: c.apiUrl,
    tokenUrl: c.tokenUrl,
    timeoutMs: s.timeoutMs,
    fetch: deps.fetch,
    clock: deps.clock,
  });
}

function paapiTransport(
  s: AmazonSettings,
  m: Marketplace,
  partnerTag: string,
  deps: AmazonClientDeps,
): Transport {
  const p = s.paapi;
  if (!p.accessKey || !p.secretKey) {
    throw new AmazonError(
      'auth',
      `No PA-API keys: set AMAZON_PAAPI_ACCESS_KEY and AMAZON_PAAPI_SECRET_KEY ${CONFIG}. PA-API 5.0 was retired in May 2026; prefer AMAZON_PROVIDER=creators.`,
      { reason: 'MissingCredential' },
    );
  }
  return createPaapiTransport({
    marketplace: m,
    partnerTag,
    accessKey: p.accessKey,
    secretKey: p.secretKey,
    host: p.host,
    region: p.region,
    endpoint: p.endpoint,
    timeoutMs: s.timeoutMs,
    fetch: deps.fetch,
  });
}
