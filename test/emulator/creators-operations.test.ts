import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { creatorsCall, creatorsToken, postJson, startTestEmulator } from './helpers.js';

type Item = Record<string, unknown> & { asin: string; detailPageURL: string };

describe('Creators API operations on the demo catalog', () => {
  let emu: RunningEmulator;
  let token: string;
  const call = (op: string, body: Record<string, unknown>) =>
    creatorsCall(emu, op, body, { token });
  before(async () => {
    emu = await startTestEmulator();
    token = await creatorsToken(emu, 0);
  });
  after(() => emu.close());

  const rejects = async (op: string, body: Record<string, unknown>, field: string) => {
    const res = await call(op, body);
    assert.equal(res.status, 400, `${op} ${JSON.stringify(body)}`);
    assert.equal(res.body.type, 'ValidationException');
    assert.equal(res.body.reason, 'FieldValidationFailed');
    assert.equal(res.body.message, 'Request validation failed.');
    // SDK ValidationExceptionField objects: the field's name and why it was refused.
    const list = res.body.fieldList as { name: string; message: string }[];
    assert.deepEqual(
      list.map((f) => f.name),
      [field],
    );
    assert.ok(
      list.every((f) => f.message.includes(f.name)),
      JSON.stringify(list),
    );
  };

  it('validates every documented limit', async () => {
    await rejects('getItems', { itemIds: [] }, 'itemIds');
    await rejects(
      'getItems',
      { itemIds: Array.from({ length: 11 }, (_, i) => `B0DEMO00${10 + i}`) },
      'itemIds',
    );
    await rejects('getItems', { itemIds: ['B0DEMO0001'], itemIdType: 'EAN' }, 'itemIdType');
    await rejects(
      'getItems',
      { itemIds: ['B0DEMO0001'], resources: ['ItemInfo.Title'] },
      'resources',
    );
    await rejects(
      'getItems',
      { itemIds: ['B0DEMO0001'], resources: ['offers.listings.price'] },
      'resources',
    );
    await rejects('getItems', { itemIds: ['B0DEMO0001'], partnerTag: undefined }, 'partnerTag');
    await rejects('searchItems', { keywords: 'x', itemCount: 11 }, 'itemCount');
    await rejects('searchItems', { keywords: 'x', itemCount: 0 }, 'itemCount');
    await rejects('searchItems', { keywords: 'x', itemPage: 11 }, 'itemPage');
    await rejects('searchItems', { keywords: 'x', searchIndex: 'Nope' }, 'searchIndex');
    await rejects('searchItems', { itemCount: 5 }, 'keywords');
    await rejects(
      'searchItems',
      { keywords: 'x', languagesOfPreference: ['fr_FR', 'en_GB'] },
      'languagesOfPreference',
    );
    await rejects('getVariations', { asin: 'not-an-asin' }, 'asin');
    await rejects('getBrowseNodes', { browseNodeIds: ['abc'] }, 'browseNodeIds');
    await rejects(
      'getBrowseNodes',
      { browseNodeIds: ['1'], resources: ['itemInfo.title'] },
      'resources',
    );
  });

  it('400 InvalidPartnerTag, CannotParse, UnknownOperation', async () => {
    const tag = await call('searchItems', { keywords: 'galettes', partnerTag: 'other-21' });
    assert.equal(tag.status, 400);
    assert.equal(tag.body.reason, 'InvalidPartnerTag');
    const headers = {
      authorization: `Bearer ${token}, Version 2.2`,
      'x-marketplace': 'www.amazon.fr',
    };
    const parse = await postJson(`${emu.url}/catalog/v1/searchItems`, '{"keywords":', headers);
    assert.equal(parse.body.reason, 'CannotParse');
    const op = await postJson(`${emu.url}/catalog/v1/getItem`, {}, headers);
    assert.equal(op.body.reason, 'UnknownOperation');
  });

  it('getItems: only requested resources, ogi link, partial errors in a 200', async () => {
    const res = await call('getItems', {
      itemIds: ['B0DEMO0001', 'B0DEMO0008', 'B0NOTHERE1'],
      resources: ['itemInfo.externalIds'],
    });
    assert.equal(res.status, 200);
    const items = (res.body.itemsResult as { items: Item[] }).items;
    assert.equal(items.length, 1);
    const item = items[0] as Item;
    assert.deepEqual(Object.keys(item).sort(), ['asin', 'detailPageURL', 'itemInfo']);
    assert.deepEqual(Object.keys(item.itemInfo as object), ['externalIds']);
    assert.equal(
      item.detailPageURL,
      'https://www.amazon.fr/dp/B0DEMO0001?tag=demo-21&linkCode=ogi&th=1&psc=1',
    );
    assert.deepEqual(
      res.body.errors,
      [
        {
          code: 'ItemNotAccessible',
          message: 'The ItemId B0DEMO0008 is not accessible through the Creators API.',
        },
        {
          code: 'InvalidParameterValue',
          message: 'The ItemIds B0NOTHERE1 provided in the request is invalid.',
        },
      ].sort((a, b) => (a.code < b.code ? 1 : -1)),
    );
  });

  it('getItems: all ids invalid is a 404 ResourceNotFoundException', async () => {
    const res = await call('getItems', { itemIds: ['B0NOTHERE1'] });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {
      type: 'ResourceNotFoundException',
      message: 'No items found for the requested item IDs.',
      resourceType: 'Item',
      resourceId: 'B0NOTHERE1',
    });
  });

  it('searchItems: containers, osi link, offersV2, no results 404', async () => {
    const res = await call('searchItems', {
      keywords: '3017620422003',
      resources: ['itemInfo.title', 'offersV2.listings.price', 'browseNodeInfo.websiteSalesRank'],
    });
    assert.equal(res.status, 200);
    const result = res.body.searchResult as {
      items: Item[];
      totalResultCount: number;
      searchURL: string;
    };
    assert.equal(result.totalResultCount, 1);
    assert.equal(
      result.searchURL,
      'https://www.amazon.fr/s?k=3017620422003&tag=demo-21&linkCode=osi',
    );
    const item = result.items[0] as Item;
    assert.match(item.detailPageURL, /linkCode=osi/);
    const listing = (item.offersV2 as { listings: Record<string, unknown>[] }).listings[0];
    assert.deepEqual(Object.keys(listing ?? {}), ['price']);
    assert.deepEqual((listing?.price as { money: unknown }).money, {
      amount: 4.29,
      currency: 'EUR',
      displayAmount: '4,29\u00a0€',
    });
    const none = await call('searchItems', { keywords: '3799999000173' });
    assert.equal(none.status, 404);
    assert.equal(none.body.type, 'ResourceNotFoundException');
    assert.equal(none.body.resourceType, 'SearchResult');
  });

  it('getVariations: children of a parent with variationSummary and ogv links', async () => {
    const res = await call('getVariations', {
      asin: 'B0DEMO0031',
      resources: [
        'itemInfo.title',
        'variationSummary.price.lowestPrice',
        'variationSummary.variationDimension',
      ],
    });
    assert.equal(res.status, 200);
    const vr = res.body.variationsResult as {
      items: Item[];
      variationSummary: Record<string, unknown>;
    };
    assert.equal(vr.items.length, 3);
    assert.match((vr.items[0] as Item).detailPageURL, /linkCode=ogv/);
    assert.ok(Array.isArray((vr.items[0] as Item).variationAttributes));
    assert.equal(vr.variationSummary.variationCount, 3);
    assert.equal(vr.variationSummary.price, undefined, 'not in the SDK VariationSummary model');
    assert.ok(Array.isArray(vr.variationSummary.variationDimensions));
  });

  it('getBrowseNodes: ancestor/children on request, invalid id as a partial error', async () => {
    const res = await call('getBrowseNodes', {
      browseNodeIds: ['6356734031', '42'],
      resources: ['browseNodes.ancestor', 'browseNodes.children'],
    });
    assert.equal(res.status, 200);
    const nodes = (res.body.browseNodesResult as { browseNodes: Record<string, unknown>[] })
      .browseNodes;
    assert.equal((nodes[0]?.ancestor as { displayName: string }).displayName, 'Épicerie');
    assert.deepEqual(res.body.errors, [
      {
        code: 'InvalidParameterValue',
        message: 'The BrowseNodeId 42 provided in the request is invalid.',
      },
    ]);
  });

  it('serves the second marketplace with the same credential (EU region)', async () => {
    const res = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'Maus' },
      { token, marketplace: 'www.amazon.de' },
    );
    assert.equal(res.status, 404, 'the only Maus is out of stock');
    const all = await creatorsCall(
      emu,
      'searchItems',
      { keywords: 'Maus', availability: 'IncludeOutOfStock' },
      { token, marketplace: 'www.amazon.de' },
    );
    assert.equal(all.status, 200);
  });
});
