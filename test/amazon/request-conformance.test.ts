import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AmazonClient } from '../../src/amazon/client.js';
import { packageVersion } from '../../src/cli/version.js';
import {
  checkRequestModel,
  CREATORS_REQUEST_MODELS,
} from '../../src/emulator/creators-request-models.js';
import type { CatalogProduct, RunningEmulator } from '../../src/emulator/index.js';
import type { OperationName } from '../../src/emulator/resources.js';
import { clientFor, startTestEmulator, testCatalog, truthOf } from './emulator-setup.js';

/**
 * The fields of the official Creators API Node.js SDK (v1.1.2) request models, written out here
 * on purpose (not imported): a field added to the client, or to the emulator's model, fails
 * this test instead of surprising Amazon.
 */
const SDK_FIELDS: Record<OperationName, string[]> = {
  getItems: [
    'condition',
    'currencyOfPreference',
    'itemIds',
    'languagesOfPreference',
    'partnerTag',
    'properties',
    'resources',
  ],
  searchItems: [
    'actor',
    'artist',
    'author',
    'availability',
    'brand',
    'browseNodeId',
    'condition',
    'currencyOfPreference',
    'deliveryFlags',
    'itemCount',
    'itemPage',
    'keywords',
    'languagesOfPreference',
    'maxPrice',
    'minPrice',
    'minReviewsRating',
    'minSavingPercent',
    'partnerTag',
    'properties',
    'resources',
    'searchIndex',
    'sortBy',
    'title',
  ],
  getVariations: [
    'asin',
    'condition',
    'currencyOfPreference',
    'languagesOfPreference',
    'partnerTag',
    'properties',
    'resources',
    'variationCount',
    'variationPage',
  ],
  getBrowseNodes: ['browseNodeIds', 'languagesOfPreference', 'partnerTag', 'resources'],
};

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
}

/** A parent with 12 children: getVariations needs a second page (variationPage). */
function withLargeFamily(): ReturnType<typeof testCatalog> {
  const catalog = testCatalog();
  const products = catalog.marketplaces['www.amazon.fr']?.products as CatalogProduct[];
  products.push({ asin: 'B0CONF0000', title: 'Conformance parent', isParent: true });
  for (let i = 1; i <= 12; i++)
    products.push({
      asin: `B0CONF${String(i).padStart(4, '0')}`,
      title: `Conformance child ${i}`,
      parentAsin: 'B0CONF0000',
      price: 10 + i,
      variationAttributes: [{ name: 'size_name', value: `S${i}` }],
    });
  return catalog;
}

describe('every Creators request the client can build fits the SDK request models', () => {
  let emu: RunningEmulator;
  let client: AmazonClient;
  const sent: Sent[] = [];
  before(async () => {
    emu = await startTestEmulator({ catalog: withLargeFamily() });
    const recording: typeof fetch = async (input, init) => {
      const entry: Sent = {
        url: String(input),
        headers: { ...(init?.headers as Record<string, string>) },
        body: String(init?.body ?? ''),
      };
      sent.push(entry);
      const res = await fetch(input, init);
      entry.status = res.status;
      return res;
    };
    client = clientFor(emu, 'creators', {}, { fetch: recording });
    await exerciseEveryPath(emu, client);
  });
  after(() => emu.close());

  const apiCalls = () =>
    sent
      .filter((s) => s.url.includes('/catalog/v1/'))
      .map((s) => ({
        op: s.url.split('/').pop() as OperationName,
        body: JSON.parse(s.body) as Record<string, unknown>,
        headers: s.headers,
      }));

  it("the emulator's model is the SDK's field list", () => {
    for (const [op, fields] of Object.entries(SDK_FIELDS))
      assert.deepEqual(
        Object.keys(CREATORS_REQUEST_MODELS[op as OperationName]).sort(),
        fields,
        op,
      );
  });

  it('every body holds only fields of its model, of the right type and enum', () => {
    for (const { op, body } of apiCalls()) {
      assert.ok(op in SDK_FIELDS, `unknown operation ${op}`);
      const extra = Object.keys(body).filter((k) => !SDK_FIELDS[op].includes(k));
      assert.deepEqual(extra, [], `${op} sends fields the SDK does not define`);
      assert.deepEqual(checkRequestModel(op, body), [], `${op} ${JSON.stringify(body)}`);
    }
    const refused = sent.filter((x) => x.status === 400);
    assert.deepEqual(refused, [], 'the strict emulator refused nothing');
  });

  it('every option path was exercised: each operation, pages, search indexes, chunks', () => {
    const calls = apiCalls();
    const search = calls.filter((c) => c.op === 'searchItems').map((c) => c.body);
    const items = calls.filter((c) => c.op === 'getItems').map((c) => c.body);
    const variations = calls.filter((c) => c.op === 'getVariations').map((c) => c.body);
    assert.ok(search.some((b) => b.itemPage === undefined));
    assert.ok(
      search.some((b) => b.itemPage === 2),
      'a second search page',
    );
    assert.deepEqual(
      new Set(search.map((b) => b.searchIndex)),
      new Set(['All', 'Books', 'Electronics']),
    );
    assert.ok(
      items.some((b) => (b.itemIds as string[]).length === 10),
      'a full chunk',
    );
    assert.ok(items.some((b) => (b.itemIds as string[]).length === 1));
    assert.ok(variations.some((b) => b.variationPage === undefined));
    assert.ok(
      variations.some((b) => b.variationPage === 2),
      'a second variation page',
    );
  });

  it('API and token requests say what they accept and who sends them', () => {
    const ua = new RegExp(
      `^code2asin/${packageVersion().replaceAll('.', '\\.')} \\(\\+https://\\S+\\)$`,
    );
    assert.ok(
      sent.some((s) => !s.url.includes('/catalog/v1/')),
      'a token request was seen',
    );
    for (const s of sent) {
      assert.equal(s.headers.accept, 'application/json', s.url);
      assert.match(s.headers['user-agent'] ?? '', ua, s.url);
    }
  });
});

/** Calls every client function with every option that changes a request body. */
async function exerciseEveryPath(emu: RunningEmulator, client: AmazonClient): Promise<void> {
  const first = (kase: string) => truthOf(emu, kase)[0];
  const exact = first('exact_unique');
  const isbn = first('isbn13_listing');
  const manyHits = first('many_hits');
  assert.ok(exact?.asin && isbn && manyHits);
  await client.searchByCodes([exact.code, first('not_found')?.code as string]);
  await client.searchByCodes([exact.code], { searchIndex: 'Electronics' });
  await client.searchAmazonByEan(isbn.code); // Books
  await client.searchAmazonByEan(manyHits.code, { maxPages: 2 }); // page 2
  await client.validateAsinOnAmazon(exact.asin);
  await client.fetchAmazonProductData(exact.asin);
  const asins = emu.catalog.marketplaces['www.amazon.fr']?.products.map((p) => p.asin) ?? [];
  await client.getItems(asins.slice(0, 11));
  await client.getVariations('B0CONF0000', { maxPages: 2 });
}

describe('the client reads no response field the SDK models lack', () => {
  it('the same products and variations with and without the emulator-only fields', async () => {
    const catalog = withLargeFamily();
    const plain = await startTestEmulator({ catalog });
    const extra = await startTestEmulator({ catalog, behaviour: { extraFields: true } });
    try {
      const read = async (emu: RunningEmulator) => {
        const client = clientFor(emu, 'creators');
        const asins = (catalog.marketplaces['www.amazon.fr']?.products ?? [])
          .filter((p) => p.browseNodeId)
          .slice(0, 10)
          .map((p) => p.asin);
        assert.ok(asins.length > 0);
        const items = await client.getItems(asins);
        const variations = await client.getVariations('B0CONF0000', { maxPages: 2 });
        const products = [...items.items.values(), ...variations.items];
        const { requestIds: _ids, items: _items, ...summary } = variations;
        return {
          products: products
            .map(({ fetched_at: _at, ...p }) => p)
            .sort((a, b) => (a.asin < b.asin ? -1 : 1)),
          summary,
        };
      };
      const [a, b] = [await read(plain), await read(extra)];
      assert.ok(a.products.length > 10);
      assert.deepEqual(a, b);
    } finally {
      await plain.close();
      await extra.close();
    }
  });
});
