import { userAgent } from '../../config/package-version.js';
import type { CredentialVersion } from '../../config/env.js';
import type { Clock } from '../clock.js';
import { isAmazonError } from '../errors.js';
import { postJson, type FetchFn } from '../http.js';
import type { Marketplace } from '../marketplaces.js';
import type { Transport } from '../provider-core.js';
import { createTokenManager, type TokenManager } from './token-manager.js';

/** Default Creators API host, the same for every region (reference §1.3). */
export const CREATORS_API_URL = 'https://creatorsapi.amazon';

export interface CreatorsTransportOptions {
  marketplace: Marketplace;
  partnerTag: string;
  credentialId: string;
  credentialSecret: string;
  credentialVersion: CredentialVersion;
  apiUrl?: string;
  tokenUrl?: string | undefined;
  timeoutMs: number;
  fetch?: FetchFn;
  clock?: Clock;
}

export interface CreatorsTransport extends Transport {
  readonly tokens: TokenManager;
}

/**
 * Creators API wire protocol: `POST {apiUrl}/catalog/v1/{operation}`, camelCase JSON,
 * `Authorization: Bearer <token>[, Version <v>]` and `x-marketplace`. A 401 drops the token
 * it was sent with, and the call is tried once more with a fresh one.
 */
export function createCreatorsTransport(o: CreatorsTransportOptions): CreatorsTransport {
  const fetchFn = o.fetch ?? fetch;
  const base = (o.apiUrl ?? CREATORS_API_URL).replace(/\/+$/, '');
  const tokens = createTokenManager({
    credentialId: o.credentialId,
    credentialSecret: o.credentialSecret,
    version: o.credentialVersion,
    tokenUrl: o.tokenUrl,
    fetch: fetchFn,
    timeoutMs: o.timeoutMs,
    clock: o.clock,
  });
  return {
    name: 'creators',
    marketplace: o.marketplace,
    partnerTag: o.partnerTag,
    tokens,
    // The API's 401 only (the token it was sent with expired or was revoked). The token
    // endpoint's own refusal (a wrong secret) would be refused again: asking twice per call
    // doubled the refused requests (chain-refusals test: 5 refused for 4 lanes).
    recover: (e) => e.status === 401 && e.tokenEndpoint === null,
    async send(op, body, slot, signal) {
      const payload = JSON.stringify(body);
      // The token is fetched before the slot is taken: a slot spent waiting for the token
      // endpoint would make this request reach the API late, and the next ones early.
      await tokens.get(signal);
      await slot();
      // Cached in nearly all cases; refreshed only if the wait brought it near expiry.
      const token = await tokens.get(signal);
      try {
        return await postJson({
          provider: 'creators',
          url: `${base}/catalog/v1/${op}`,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'user-agent': userAgent(),
            authorization: tokens.authorization(token),
            'x-marketplace': o.marketplace.domain,
          },
          body: payload,
          timeoutMs: o.timeoutMs,
          signal,
          fetch: fetchFn,
          secrets: [o.credentialSecret, token],
          what: `Creators API ${op}`,
        });
      } catch (e) {
        if (isAmazonError(e) && e.status === 401) tokens.invalidate(token);
        throw e;
      }
    },
  };
}
