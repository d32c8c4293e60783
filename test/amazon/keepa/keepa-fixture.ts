import { createAmazonClient, type AmazonClient } from '../../../src/amazon/client.js';
import type { Clock } from '../../../src/amazon/clock.js';
import { createRateLimiter } from '../../../src/amazon/rate-limiter.js';
import { loadConfig } from '../../../src/config/env.js';
import type {
  CatalogProduct,
  EmulatorCatalog,
  KeepaCredential,
  RunningEmulator,
} from '../../../src/emulator/index.js';
import { startEmulator } from '../../../src/emulator/index.js';
import { gs1CheckDigit } from '../../../src/emulator/gtin.js';

/** The i-th EAN-13 of the fixture (valid check digit, 376 prefix). */
export function ean(i: number): string {
  const body = `376${String(100000000 + i).slice(-9)}`;
  return body + gs1CheckDigit(body);
}

/** A valid UPC-A, listed by one product of the fixture under `upcs` only. */
export const UPC = '036000291452';

/** An ASIN for product i. */
export function asinOf(i: number): string {
  return `B0K${String(i).padStart(7, '0')}`;
}

/**
 * A catalog of `count` products with one EAN each, plus: three products sharing EAN `ean(9001)`,
 * a variation parent and two children listing EAN `ean(9002)` (the parent too), one inaccessible
 * product with EAN `ean(9003)`.
 */
export function keepaCatalog(count: number, keys: KeepaCredential[]): EmulatorCatalog {
  const products: CatalogProduct[] = [];
  for (let i = 0; i < count; i++)
    products.push({
      asin: asinOf(i),
      title: `Product ${i}`,
      brand: 'Fixture',
      eans: [ean(i)],
      price: 10 + i / 100,
      salesRank: 1000 + i,
      images: [`https://m.media-amazon.com/images/I/Img${i}.jpg`],
    });
  for (let j = 0; j < 3; j++)
    products.push({ asin: `B0SHARED0${j}`, title: `Shared ${j}`, eans: [ean(9001)] });
  products.push({ asin: 'B0PARENT00', title: 'Parent', isParent: true, eans: [ean(9002)] });
  for (let j = 0; j < 2; j++)
    products.push({
      asin: `B0CHILD00${j}`,
      title: `Child ${j}`,
      parentAsin: 'B0PARENT00',
      eans: [ean(9002)],
      unitCount: 6,
    });
  products.push({ asin: 'B0HIDDEN00', title: 'Hidden', accessible: false, eans: [ean(9003)] });
  products.push({ asin: 'B0UPCONLY0', title: 'Listed by its UPC-A only', upcs: [UPC] });
  return {
    marketplaces: { 'www.amazon.fr': { products } },
    credentials: [
      {
        kind: 'creators',
        id: 'fixture-creators',
        secret: 'fixture-secret',
        version: '2.2',
        partnerTag: 'fixture-21',
      },
    ],
    keepaKeys: keys,
  };
}

/** An emulator on `clock` serving `keepaCatalog`. */
export function startKeepaEmulator(
  clock: Clock,
  keys: KeepaCredential[],
  count = 250,
): Promise<RunningEmulator> {
  return startEmulator({ port: 0, catalog: keepaCatalog(count, keys), now: () => clock.now() });
}

/** A Keepa client on the emulator's key `i`, paced by `clock` (no request-rate limit in the way). */
export function keepaClient(
  emu: RunningEmulator,
  clock: Clock,
  i = 0,
  overrides: Record<string, string> = {},
): AmazonClient {
  const env = { ...emu.env('keepa', i), AMAZON_TIMEOUT_MS: '30000', ...overrides };
  const settings = loadConfig(env).amazon;
  const limiter = createRateLimiter({ tps: 1000, burst: 1000, clock });
  // One attempt: a 429 that is retried shows it used none.
  return createAmazonClient(settings, { limiter, clock, retry: { maxAttempts: 1 } });
}

/** Polls (real time) until `check` holds; generous, so a loaded machine only makes it slower. */
export async function eventually(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
