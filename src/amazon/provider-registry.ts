import type { ProviderName } from '../config/provider-names.js';
import type { AmazonClientDeps } from './client.js';
import { createCreatorsTransport } from './creators/creators-transport.js';
import { AmazonError } from './errors.js';
import { isVersionValidFor, type Marketplace } from './marketplaces.js';
import { createPaapiTransport } from './paapi/paapi-transport.js';
import type { Transport } from './provider-core.js';
import type { AmazonSettings } from './provider.js';

const CONFIG = 'or PUT /api/v1/amazon/config';

/** What the service needs to know of one provider; everything else goes through `Transport`. */
export interface ProviderEntry {
  /**
   * The transport for these settings. Throws an AmazonError (`auth`) before any request when the
   * credentials are missing or cannot call the marketplace.
   */
  createTransport(
    settings: AmazonSettings,
    marketplace: Marketplace,
    partnerTag: string,
    deps: AmazonClientDeps,
  ): Transport;
  /**
   * The values naming the credential Amazon counts a quota for (never a secret): processes with
   * the same values share one limiter.
   */
  credentialOf(settings: AmazonSettings): readonly unknown[];
}

/**
 * Every provider, by name. The one place that knows which providers exist: a provider is added by
 * its name in `config/provider-names.ts` and its entry here (the type makes the entry required).
 */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderEntry>> = Object.freeze({
  creators: {
    createTransport: creatorsTransport,
    credentialOf: (s: AmazonSettings) => ['creators', s.creators.credentialId, s.creators.apiUrl],
  },
  paapi: {
    createTransport: paapiTransport,
    credentialOf: (s: AmazonSettings) => [
      'paapi',
      s.paapi.accessKey,
      s.paapi.endpoint ?? s.paapi.host,
    ],
  },
});

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
