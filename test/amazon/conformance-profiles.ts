import type { AmazonErrorCode } from '../../src/amazon/errors.js';
import type { Kind } from './emulator-setup.js';

/** One API request as the client sent it (the recording fetch of the conformance suite). */
export interface SentRequest {
  url: URL;
  body: string;
}

/**
 * What differs between the providers by design, in one place: the shared conformance cases read
 * it instead of skipping a provider. Everything else in the contract is the same for all four.
 */
export interface ProviderProfile {
  /** Codes one search request carries (Creators API and PA-API: 1; SP-API: 20; Keepa: 100). */
  maxCodesPerCall: number;
  /**
   * The wire's group of a code in a search request, or null for a request that is no code
   * search (token, items by ASIN). Codes of different groups never share a request.
   */
  searchOf(sent: SentRequest): { codes: string[]; group: string } | null;
  /** The group each code form must land in (SP-API's `identifiersType`); one group otherwise. */
  expectedGroup(form: 'EAN-13' | 'UPC-A' | 'ISBN-13'): string;
  /**
   * `keywords`: the API searches the code as a keyword and answers unrelated items too, which the
   * matcher rejects. `identifiers`: the API looks identifiers up and every item it returns lists
   * one (an item joined to no requested code is dropped by the provider).
   */
  lookup: 'keywords' | 'identifiers';
  /**
   * Search answers carry offers and availability, so a code's dead duplicate listings (no offer,
   * out of stock) are told from the live one and the best is accepted. SP-API's Catalog Items has
   * no offers and Keepa's code search asks no `stats`: the best-selling listing is proposed for
   * review instead.
   */
  offersInSearch: boolean;
  /** SP-API's Catalog Items carries no offers: prices stay empty (README "SP-API"). */
  prices: boolean;
  /** Keepa answers carry no request id. */
  requestIds: boolean;
  /** Settings that make the API refuse the credential, the variable the message names, the secret. */
  refused: { env: Record<string, string>; names: RegExp; secret: string };
  /** The error code of a request that failed 3 times with a 500. */
  exhaustedCode: AmazonErrorCode;
  /**
   * How the 429 case runs: an emulator rate below the client's (a rate quota), or why it does not
   * apply (Keepa's 429 is an exhausted token balance refilled per minute, not a rate).
   */
  throttle: { codes: number } | { elsewhere: string };
}

const WRONG = 'wrong-secret-value-123';

function jsonKeywords(sent: SentRequest): { codes: string[]; group: string } | null {
  if (!/searchitems$/i.test(sent.url.pathname)) return null;
  const body = JSON.parse(sent.body) as { keywords?: string; Keywords?: string };
  return { codes: [String(body.keywords ?? body.Keywords)], group: 'keywords' };
}

export const PROFILES: Readonly<Record<Kind, ProviderProfile>> = Object.freeze({
  creators: {
    maxCodesPerCall: 1,
    searchOf: jsonKeywords,
    expectedGroup: () => 'keywords',
    lookup: 'keywords',
    offersInSearch: true,
    prices: true,
    requestIds: true,
    refused: {
      env: { AMAZON_CREATORS_CREDENTIAL_SECRET: WRONG },
      names: /AMAZON_CREATORS_CREDENTIAL_SECRET/,
      secret: WRONG,
    },
    exhaustedCode: 'unknown',
    throttle: { codes: 5 },
  },
  paapi: {
    maxCodesPerCall: 1,
    searchOf: jsonKeywords,
    expectedGroup: () => 'keywords',
    lookup: 'keywords',
    offersInSearch: true,
    prices: true,
    requestIds: true,
    refused: {
      env: { AMAZON_PAAPI_SECRET_KEY: WRONG },
      names: /AMAZON_PAAPI_SECRET_KEY/,
      secret: WRONG,
    },
    exhaustedCode: 'unknown',
    throttle: { codes: 5 },
  },
  spapi: {
    maxCodesPerCall: 20,
    searchOf: (sent) => {
      const ids = sent.url.searchParams.get('identifiers');
      const type = sent.url.searchParams.get('identifiersType');
      if (!sent.url.pathname.endsWith('/items') || !ids || !type || type === 'ASIN') return null;
      return { codes: ids.split(','), group: type };
    },
    expectedGroup: (form) => ({ 'EAN-13': 'EAN', 'UPC-A': 'UPC', 'ISBN-13': 'ISBN' })[form],
    lookup: 'identifiers',
    offersInSearch: false,
    prices: false,
    requestIds: true,
    refused: {
      env: { AMAZON_SPAPI_CLIENT_SECRET: WRONG },
      names: /AMAZON_SPAPI_CLIENT_SECRET/,
      secret: WRONG,
    },
    exhaustedCode: 'unknown',
    // Three requests of 20 leave together: at 1 request/s burst 1 the emulator refuses some.
    throttle: { codes: 60 },
  },
  keepa: {
    maxCodesPerCall: 100,
    searchOf: (sent) => {
      const code = sent.url.searchParams.get('code');
      if (!sent.url.pathname.endsWith('/product') || !code) return null;
      return { codes: code.split(','), group: 'code' };
    },
    expectedGroup: () => 'code',
    lookup: 'identifiers',
    offersInSearch: false,
    prices: true,
    requestIds: false,
    refused: {
      env: { AMAZON_KEEPA_KEY: `keepa-${WRONG}` },
      names: /AMAZON_KEEPA_KEY/,
      secret: `keepa-${WRONG}`,
    },
    exhaustedCode: 'network',
    throttle: {
      elsewhere:
        "a Keepa 429 means the key's token balance is spent (refilled per minute), not a rate: test/amazon/keepa/keepa-provider.test.ts covers it on a manual clock ('a 429 (another process spent the tokens) waits refillIn and retries without using an attempt')",
    },
  },
});
