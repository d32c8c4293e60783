import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAmazonClient, type AmazonClient } from '../../src/amazon/client.js';
import { AmazonError, makesProviderUnusable } from '../../src/amazon/errors.js';
import { matchedOn } from '../../src/amazon/product-functions.js';
import { createRateLimiter, type RateLimiter } from '../../src/amazon/rate-limiter.js';
import type { RetryPolicy } from '../../src/amazon/retry.js';
import { parseCode } from '../../src/codes/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { PROFILES, type SentRequest } from './conformance-profiles.js';
import {
  productsOf,
  settingsFor,
  startTestEmulator,
  statsOf,
  testCatalog,
  truthOf,
  type Kind,
} from './emulator-setup.js';

/** The truth rows of a case, less the product the test catalog makes inaccessible. */
function liveTruth(emu: RunningEmulator, kase: string) {
  const hidden = new Set(
    productsOf(emu)
      .filter((p) => p.accessible === false)
      .map((p) => p.asin),
  );
  return truthOf(emu, kase).filter((t) => t.asin === null || !hidden.has(t.asin));
}

/**
 * The provider contract, one suite for the four providers, the truth taken from the emulator.
 * Where a provider differs by design (codes per request, prices, keyword search) the case reads
 * it from `PROFILES`; nothing is skipped. Keyword-search-only behaviour (noise in answers,
 * eligibility, getItems partial errors) is in keyword-search-conformance.test.ts.
 */
const KEEPA_KEY = 'conformance-keepa-key-000000000000000000000000000000000000001';

/** The test catalog on 400 products, with a Keepa key that never runs short of tokens. */
function conformanceCatalog() {
  const catalog = testCatalog(400);
  catalog.keepaKeys = [{ key: KEEPA_KEY, refillRate: 10_000, tokens: 1_000_000 }];
  return catalog;
}

interface Recorded {
  client: AmazonClient;
  sent: SentRequest[];
  acquired: () => number;
}

/** A client whose every HTTP request and limiter grant is counted. */
function recordedClient(
  emu: RunningEmulator,
  kind: Kind,
  env: Record<string, string> = {},
  retry?: Partial<RetryPolicy>,
): Recorded {
  const settings = settingsFor(emu, kind, env);
  const sent: SentRequest[] = [];
  let acquired = 0;
  const inner = createRateLimiter({ tps: settings.tps, burst: settings.burst, tpd: settings.tpd });
  const limiter: RateLimiter = {
    acquire: (signal) => {
      acquired += 1;
      return inner.acquire(signal);
    },
    onThrottle: (ms) => inner.onThrottle(ms),
    onSuccess: () => inner.onSuccess(),
    state: () => inner.state(),
  };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push({ url, body: typeof init?.body === 'string' ? init.body : '' });
    return globalThis.fetch(input, init);
  };
  const client = createAmazonClient(settings, { fetch, limiter, retry });
  return { client, sent, acquired: () => acquired };
}

/** API requests only: token requests spend no quota and take no limiter token. */
function apiRequests(emu: RunningEmulator, kind: Kind): number {
  const ops = statsOf(emu, kind)?.operations ?? {};
  return Object.entries(ops)
    .filter(([op]) => op !== 'token')
    .reduce((n, [, o]) => n + o.requests, 0);
}

/** Catalog products that list `code` in any equivalent form (the same GTIN-14). */
function listing(emu: RunningEmulator, code: string): string[] {
  const gtin = gtinOf(code);
  return productsOf(emu)
    .filter((p) => p.accessible !== false)
    .filter((p) =>
      [...(p.eans ?? []), ...(p.upcs ?? []), ...(p.isbns ?? [])].some((id) => gtinOf(id) === gtin),
    )
    .map((p) => p.asin);
}

function gtinOf(code: string): string {
  const parsed = parseCode(code);
  return parsed.valid ? parsed.gtin14 : code;
}

for (const kind of ['creators', 'paapi', 'spapi', 'keepa'] as const satisfies Kind[]) {
  const profile = PROFILES[kind];
  describe(`provider conformance: ${kind}`, () => {
    let emu: RunningEmulator;
    before(async () => {
      emu = await startTestEmulator({ catalog: conformanceCatalog() });
    });
    after(() => emu.close());

    it('searchByCodes: one outcome per code in input order, found with the listed ASIN, not found', async () => {
      const { client } = recordedClient(emu, kind);
      const found = [
        ...liveTruth(emu, 'exact_unique').slice(0, 3),
        ...liveTruth(emu, 'upc_listing').slice(0, 1),
        ...liveTruth(emu, 'isbn10_listing').slice(0, 1),
      ];
      const missing = liveTruth(emu, 'not_found').slice(0, 2);
      const codes = [missing[0], ...found, missing[1]].map((t) => t?.code as string);
      const out = await client.searchByCodes(codes);
      assert.deepEqual([...out.keys()], codes);
      for (const t of found) {
        const o = out.get(t.code);
        assert.ok(o?.status === 'found' && o.items.some((i) => i.asin === t.asin), t.code);
        assert.ok(o.items.every((i) => i.source === kind));
        assert.equal(o.requestIds.length >= 1, profile.requestIds);
      }
      for (const t of missing) assert.equal(out.get(t.code)?.status, 'not_found', t.code);
    });

    it('several listings of a code, a variation parent, unrelated items: every listing a candidate, the child chosen, noise never', async () => {
      const { client } = recordedClient(emu, kind);
      const dup = liveTruth(emu, 'duplicate_listings')[0];
      assert.ok(dup?.asin);
      const dupOut = (await client.searchByCodes([dup.code])).get(dup.code);
      assert.ok(dupOut?.status === 'found');
      const listed = listing(emu, dup.code);
      assert.ok(listed.length >= 2);
      for (const asin of listed)
        assert.ok(
          dupOut.items.some((i) => i.asin === asin),
          `${asin} lists ${dup.code}`,
        );
      // The best-selling listing ranks first. Accepted when the answer tells the dead listings
      // (no offer, out of stock); proposed for review when it carries no offers.
      const best = await client.searchAmazonByEan(dup.code);
      assert.equal(best.candidates[0]?.asin, dup.asin);
      assert.equal(profile.offersInSearch ? best.asin : best.proposed_asin, dup.asin);

      const child = liveTruth(emu, 'parent_child')[0];
      assert.ok(child?.asin);
      const parent = productsOf(emu).find(
        (p) => p.isParent && listing(emu, child.code).includes(p.asin),
      );
      assert.ok(parent, 'the parent lists the code too');
      const r = await client.searchAmazonByEan(child.code);
      assert.equal(r.asin, child.asin, 'the child, never its parent');
      const asParent = r.candidates.find((c) => c.asin === parent.asin);
      assert.ok(asParent === undefined || asParent.rank !== 1);

      const noisy = liveTruth(emu, 'noisy_search')[0];
      assert.ok(noisy?.asin);
      const n = await client.searchAmazonByEan(noisy.code);
      assert.equal(n.asin, noisy.asin);
      const unrelated = n.items.filter((i) => matchedOn(noisy.code, i).length === 0);
      // Keyword search answers unrelated items too; an identifier lookup answers only listings.
      assert.equal(unrelated.length > 0, profile.lookup === 'keywords');
      for (const u of unrelated)
        assert.ok(n.candidates.some((c) => c.asin === u.asin && c.rank !== 1));

      const noise = liveTruth(emu, 'noise_only')[0];
      assert.ok(noise);
      const none = await client.searchAmazonByEan(noise.code);
      assert.equal(none.found, false);
      assert.deepEqual(none.reasons, [profile.lookup === 'keywords' ? 'noise_only' : 'no_results']);
    });

    it('one limiter token per HTTP request; maxCodesPerCall and batchKeyOf honoured', async () => {
      const r = recordedClient(emu, kind);
      assert.equal(r.client.maxCodesPerCall, profile.maxCodesPerCall);
      const eans = liveTruth(emu, 'exact_unique')
        .slice(0, 25)
        .map((t) => t.code);
      const upcs = liveTruth(emu, 'upc_listing')
        .slice(0, 3)
        .map((t) => t.code.slice(1));
      const isbns = liveTruth(emu, 'isbn10_listing')
        .slice(0, 2)
        .map((t) => t.code);
      assert.deepEqual([eans.length, upcs.length, isbns.length], [25, 3, 2]);
      const forms = [
        ...eans.map((c) => [c, 'EAN-13'] as const),
        ...upcs.map((c) => [c, 'UPC-A'] as const),
        ...isbns.map((c) => [c, 'ISBN-13'] as const),
      ];
      const apiBefore = apiRequests(emu, kind);
      const out = await r.client.searchByCodes(forms.map(([c]) => c));
      assert.equal(out.size, forms.length);
      assert.ok([...out.values()].every((o) => o.status !== 'error'));
      const searches = r.sent
        .map((s) => profile.searchOf(s))
        .filter((s) => s !== null)
        .map((s) => ({ ...s, gtins: s.codes.map(gtinOf) }));
      // Each code asked once (in whatever form the wire takes), in a request of its own group,
      // no request over the size.
      assert.deepEqual(
        searches.flatMap((s) => s.gtins).sort(),
        forms.map(([c]) => gtinOf(c)).sort(),
      );
      for (const [code, form] of forms)
        assert.equal(
          searches.find((s) => s.gtins.includes(gtinOf(code)))?.group,
          profile.expectedGroup(form),
          code,
        );
      assert.ok(searches.every((s) => s.codes.length <= profile.maxCodesPerCall));
      const groups = new Map<string, number>();
      for (const [, form] of forms) {
        const g = profile.expectedGroup(form);
        groups.set(g, (groups.get(g) ?? 0) + 1);
      }
      const fewest = [...groups.values()].reduce(
        (n, size) => n + Math.ceil(size / profile.maxCodesPerCall),
        0,
      );
      assert.equal(searches.length, fewest, 'as few requests as the size and groups allow');
      assert.equal(r.acquired(), apiRequests(emu, kind) - apiBefore, 'one token per request');
      assert.equal(r.acquired(), searches.length);
    });

    it('a 429 is retried through the limiter without losing a code', async (t) => {
      if ('elsewhere' in profile.throttle) {
        t.diagnostic(`429 not a rate for ${kind}: ${profile.throttle.elsewhere}`);
        return;
      }
      // The emulator at 1 request/s, burst 1; the client at 5, burst 5: the first requests
      // leave together and the emulator refuses some, unless it stamped them 0.9 s apart each,
      // which no load here comes near.
      const own = await startTestEmulator({ catalog: conformanceCatalog(), tps: 1, burst: 1 });
      try {
        const r = recordedClient(own, kind, { AMAZON_TPS: '5', AMAZON_BURST: '5' });
        const codes = liveTruth(own, 'exact_unique')
          .slice(0, profile.throttle.codes)
          .map((x) => x.code);
        assert.equal(codes.length, profile.throttle.codes);
        const out = await r.client.searchByCodes(codes);
        assert.ok([...out.values()].every((o) => o.status === 'found'));
        const search = Object.entries(statsOf(own, kind)?.operations ?? {}).find(
          ([op]) => op !== 'token',
        )?.[1];
        const throttled = search?.status['429'] ?? 0;
        assert.ok(throttled >= 1, 'the emulator refused some');
        const needed = Math.ceil(codes.length / profile.maxCodesPerCall);
        assert.equal(search?.requests, needed + throttled, 'each refusal asked again, once');
        assert.equal(r.client.limiter.state().throttles, throttled);
      } finally {
        await own.close();
      }
    });

    it('refused credentials make the provider unusable: every code fails so, naming the setting, not the secret', async () => {
      const { client } = recordedClient(emu, kind, profile.refused.env);
      // More codes than one request takes: every request of the call fails the same way.
      const codes = [...new Set((emu.catalog.truth ?? []).map((t) => t.code))].slice(
        0,
        profile.maxCodesPerCall + 1,
      );
      assert.equal(codes.length, profile.maxCodesPerCall + 1);
      const out = await client.searchByCodes(codes);
      assert.equal(out.size, codes.length);
      for (const o of out.values()) {
        assert.ok(o.status === 'error');
        assert.ok(makesProviderUnusable(o.error.code), o.error.code);
        assert.equal(o.error.retryable, false);
        assert.match(o.error.message, profile.refused.names);
        assert.ok(!o.error.message.includes(profile.refused.secret));
      }
      // Items by ASIN: the whole call fails the same way (no per-ASIN error for a refused key).
      const asin = productsOf(emu).find((p) => p.accessible !== false)?.asin as string;
      await assert.rejects(client.getItems([asin]), (e: unknown) => {
        assert.ok(e instanceof AmazonError && makesProviderUnusable(e.code), String(e));
        assert.match(e.message, profile.refused.names);
        return true;
      });
    });

    it('validateAsinOnAmazon and fetchAmazonProductData; malformed ASINs never reach the API', async () => {
      const { client } = recordedClient(emu, kind);
      const p = productsOf(emu).find(
        (x) => x.accessible !== false && x.price !== undefined && !x.isParent,
      );
      assert.ok(p);
      assert.equal((await client.validateAsinOnAmazon(p.asin)).valid, true);
      assert.equal((await client.validateAsinOnAmazon('B0ZZZZZZZZ')).valid, false);
      const before = apiRequests(emu, kind);
      assert.equal((await client.validateAsinOnAmazon('B0SHORT')).valid, false);
      await assert.rejects(
        client.fetchAmazonProductData('abc'),
        (e: unknown) => e instanceof AmazonError && e.code === 'invalid_data',
      );
      assert.equal(apiRequests(emu, kind), before, 'no request for malformed ASINs');
      const full = await client.fetchAmazonProductData(p.asin.toLowerCase());
      assert.equal(full?.asin, p.asin);
      assert.equal(full.title, p.title);
      // Catalog Items has no offers (profile): the price stays empty rather than guessed.
      assert.equal(full.price, profile.prices ? p.price : null);
      assert.equal(full.marketplace, 'www.amazon.fr');
      assert.ok(full.images.length >= 1);
      assert.equal(await client.fetchAmazonProductData('B0ZZZZZZZZ'), null);
    });

    it('retries 5xx, timeouts and malformed bodies; gives up after 3 attempts', async () => {
      // The timeout must outlast any answer of a busy machine: only the hung request waits for it.
      const { client } = recordedClient(
        emu,
        kind,
        { AMAZON_TIMEOUT_MS: '5000' },
        { baseDelayMs: 10 },
      );
      const asin = productsOf(emu).find((p) => p.accessible !== false && !p.isParent)?.asin;
      assert.ok(asin);
      for (const fault of [
        { failNext: 2, failStatus: 503 as const },
        { hangNext: 1 },
        { malformedNext: 1 },
      ]) {
        emu.setFaults(fault);
        assert.equal(
          (await client.fetchAmazonProductData(asin))?.asin,
          asin,
          JSON.stringify(fault),
        );
      }
      emu.setFaults({ failNext: 3, failStatus: 500 });
      await assert.rejects(client.fetchAmazonProductData(asin), (e: unknown) => {
        assert.ok(e instanceof AmazonError);
        assert.deepEqual([e.code, e.status, e.retryable], [profile.exhaustedCode, 500, true]);
        assert.equal(e.requestId !== null, profile.requestIds);
        return true;
      });
      emu.setFaults({ failNext: 0 });
    });
  });
}
