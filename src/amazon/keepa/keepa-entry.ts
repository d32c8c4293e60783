import { AmazonError } from '../errors.js';
import type { ProviderEntry } from '../provider-entry.js';
import { KEEPA_DOMAINS, keepaDomainId } from './keepa-domains.js';
import { createKeepaProvider } from './keepa-provider.js';

const CONFIG = 'or PUT /api/v1/amazon/config';

/**
 * The registry entry of Keepa. No Associates tag: Keepa is not an Amazon affiliate API. The quota
 * is the key's (its token budget), so the key names the credential (hashed by the caller).
 */
export const keepaProviderEntry: ProviderEntry = {
  create(s, m, deps, o) {
    const key = s.keepa.key?.trim();
    if (!key)
      throw new AmazonError(
        'auth',
        `No Keepa key: set AMAZON_KEEPA_KEY to the access key shown at keepa.com → API (a paid plan) ${CONFIG}.`,
        { reason: 'MissingCredential', provider: 'keepa' },
      );
    const domainId = keepaDomainId(m);
    if (domainId === undefined)
      throw new AmazonError(
        'invalid_data',
        `Keepa does not cover ${m.domain}: set AMAZON_MARKETPLACE to one of ${KEEPA_DOMAINS.join(', ')}, or use another provider ${CONFIG}.`,
        { reason: 'UnsupportedMarketplace', provider: 'keepa' },
      );
    return createKeepaProvider(
      { key, apiUrl: s.keepa.apiUrl, domainId, timeoutMs: s.timeoutMs },
      m,
      deps,
      o,
    );
  },
  credentialOf: (s) => ['keepa', s.keepa.key, s.keepa.apiUrl],
};
