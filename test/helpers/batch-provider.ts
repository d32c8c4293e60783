import { createAmazonClients, type AmazonClients } from '../../src/amazon/amazon-clients.js';
import { createAmazonClient, type AmazonClient } from '../../src/amazon/client.js';
import { AmazonError } from '../../src/amazon/errors.js';
import { createProductFunctions } from '../../src/amazon/product-functions.js';
import type { AmazonProvider, AmazonSettings, SearchOutcome } from '../../src/amazon/provider.js';
import { createRateLimiter } from '../../src/amazon/rate-limiter.js';
import { parseCode } from '../../src/codes/index.js';

/** What the batch provider saw: each request's codes, and the limiter tokens it spent. */
export interface BatchLog {
  /** The codes of each `searchByCodes` call (one request each), in order. */
  calls: string[][];
  /** Tokens taken from the credential's limiter (the one the worker's quota is). */
  tokens: number;
  /** Calls that broke the contract: too many codes, or codes of different batch keys. */
  violations: string[];
}

export interface BatchProviderOptions {
  maxCodesPerCall?: number;
  /**
   * Runs once per request after its token, before the answer: a test may hold the answer back
   * (a request in flight) or refuse the request (throw an AmazonError, given to every code).
   */
  beforeAnswer?: (codes: readonly string[], callIndex: number) => Promise<void> | void;
}

/** One identifier type per request, as SP-API sends them: ISBN, UPC, EAN. */
export function identifierTypeOf(code: string): string {
  const parsed = parseCode(code);
  if (!parsed.valid) return 'INVALID';
  if (parsed.type.startsWith('ISBN')) return 'ISBN';
  return parsed.type.startsWith('UPC') ? 'UPC' : 'EAN';
}

/**
 * A batch provider for tests until SP-API lands: up to `maxCodesPerCall` codes (default 5) per
 * request, one identifier type per request (`batchKeyOf`). It answers through the real Creators
 * provider over real HTTP against the emulator, but that provider sends one HTTP request per
 * code, so it is not itself the batch: here one `searchByCodes` call is the request. It takes
 * one token of the credential's real limiter per call and records the call; the inner Creators
 * provider has a limiter of its own, fast enough never to be what paces the test.
 */
export function createBatchTestClients(options: BatchProviderOptions = {}): {
  clients: AmazonClients;
  log: BatchLog;
} {
  const log: BatchLog = { calls: [], tokens: 0, violations: [] };
  const max = options.maxCodesPerCall ?? 5;
  const clients = createAmazonClients({
    create: (settings: AmazonSettings, deps): AmazonClient => {
      const inner = createAmazonClient(settings, {
        ...deps,
        limiter: createRateLimiter({ tps: 1000, burst: 100 }),
      });
      const limiter =
        deps.limiter ?? createRateLimiter({ tps: settings.tps, burst: settings.burst });
      const provider: AmazonProvider = {
        name: inner.name,
        marketplace: inner.marketplace,
        maxCodesPerCall: max,
        batchKeyOf: identifierTypeOf,
        maxItemsPerCall: inner.maxItemsPerCall,
        limiter,
        getItems: (asins, opts) => inner.getItems(asins, opts),
        getVariations: (asin, opts) => inner.getVariations(asin, opts),
        async searchByCodes(codes, opts) {
          const keys = new Set(codes.map(identifierTypeOf));
          if (codes.length > max) log.violations.push(`${codes.length} codes in one call`);
          if (keys.size > 1) log.violations.push(`keys ${[...keys].join('+')} in one call`);
          await limiter.acquire(opts?.signal);
          log.tokens += 1;
          const index = log.calls.push([...codes]) - 1;
          try {
            await options.beforeAnswer?.(codes, index);
          } catch (e) {
            if (!(e instanceof AmazonError)) throw e;
            const refused: SearchOutcome = { status: 'error', error: e, requestIds: [] };
            return new Map(codes.map((c) => [c, refused]));
          }
          return inner.searchByCodes(codes, opts);
        },
      };
      return { ...provider, ...createProductFunctions(provider) };
    },
  });
  return { clients, log };
}
