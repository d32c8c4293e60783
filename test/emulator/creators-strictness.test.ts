import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CREATORS_REQUEST_MODELS } from '../../src/emulator/creators-request-models.js';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.js';
import { creatorsCall, creatorsToken, startTestEmulator, type JsonResponse } from './helpers.js';

type Field = { name: string; message: string };

const fields = (res: JsonResponse): Field[] => (res.body.fieldList ?? []) as Field[];

function assertRefused(res: JsonResponse, names: string[], why: RegExp, what: string): void {
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.type, 'ValidationException');
  assert.equal(res.body.reason, 'FieldValidationFailed');
  assert.deepEqual(
    fields(res).map((f) => f.name),
    names,
    what,
  );
  for (const f of fields(res)) assert.match(f.message, why, what);
}

async function withEmulator(options: EmulatorOptions) {
  const emu = await startTestEmulator(options);
  const token = await creatorsToken(emu, 0);
  return {
    emu,
    call: (op: string, body: Record<string, unknown>) => creatorsCall(emu, op, body, { token }),
  };
}

describe('Creators request bodies are checked against the SDK models (strict default)', () => {
  let emu: RunningEmulator;
  let call: (op: string, body: Record<string, unknown>) => Promise<JsonResponse>;
  before(async () => ({ emu, call } = await withEmulator({})));
  after(() => emu.close());

  it('a field outside the operation model is refused, named in fieldList with the model', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['getItems', { itemIds: ['B0DEMO0001'], itemIdType: 'ASIN' }, 'itemIdType', 'GetItems'],
      [
        'getItems',
        { itemIds: ['B0DEMO0001'], marketplace: 'www.amazon.fr' },
        'marketplace',
        'GetItems',
      ],
      [
        'searchItems',
        { keywords: 'lego', partnerType: 'Associates' },
        'partnerType',
        'SearchItems',
      ],
      ['searchItems', { keywords: 'lego', Keywords: 'lego' }, 'Keywords', 'SearchItems'],
      [
        'getVariations',
        { asin: 'B0DEMO0031', itemIds: ['B0DEMO0031'] },
        'itemIds',
        'GetVariations',
      ],
      [
        'getBrowseNodes',
        { browseNodeIds: ['6356734031'], condition: 'Any' },
        'condition',
        'GetBrowseNodes',
      ],
    ];
    for (const [op, body, field, model] of cases)
      assertRefused(
        await call(op, body),
        [field],
        new RegExp(`${field} is not a field of ${model}RequestContent`),
        `${op} ${field}`,
      );
  });

  it('a wrong JSON type is refused, whatever the field', async () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['searchItems', { keywords: 'lego', itemCount: '10' }, 'itemCount', /an integer/],
      ['searchItems', { keywords: 'lego', itemPage: 1.5 }, 'itemPage', /an integer/],
      ['searchItems', { keywords: 123 }, 'keywords', /a string/],
      ['searchItems', { keywords: 'lego', minPrice: null }, 'minPrice', /an integer/],
      ['getItems', { itemIds: 'B0DEMO0001' }, 'itemIds', /an array of strings/],
      [
        'getItems',
        { itemIds: ['B0DEMO0001'], resources: 'itemInfo.title' },
        'resources',
        /an array of strings/,
      ],
      [
        'getItems',
        { itemIds: ['B0DEMO0001'], properties: ['x'] },
        'properties',
        /an object of strings/,
      ],
      [
        'getItems',
        { itemIds: ['B0DEMO0001'], properties: { a: 1 } },
        'properties',
        /an object of strings/,
      ],
      [
        'getVariations',
        { asin: 'B0DEMO0031', variationCount: '5' },
        'variationCount',
        /an integer/,
      ],
      ['getBrowseNodes', { browseNodeIds: [6356734031] }, 'browseNodeIds', /an array of strings/],
      [
        'getBrowseNodes',
        { browseNodeIds: ['6356734031'], languagesOfPreference: 'fr_FR' },
        'languagesOfPreference',
        /an array of strings/,
      ],
    ];
    for (const [op, body, field, why] of cases)
      assertRefused(await call(op, body), [field], why, `${op} ${field}`);
  });

  it('a value outside an enum is refused: condition is Any or New only', async () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['getItems', { itemIds: ['B0DEMO0001'], condition: 'Used' }, 'condition', /one of Any, New/],
      [
        'searchItems',
        { keywords: 'lego', condition: 'Refurbished' },
        'condition',
        /one of Any, New/,
      ],
      [
        'getVariations',
        { asin: 'B0DEMO0031', condition: 'Collectible' },
        'condition',
        /one of Any, New/,
      ],
      [
        'searchItems',
        { keywords: 'lego', availability: 'InStock' },
        'availability',
        /IncludeOutOfStock/,
      ],
      ['searchItems', { keywords: 'lego', sortBy: 'Cheapest' }, 'sortBy', /Price:LowToHigh/],
      ['searchItems', { keywords: 'lego', deliveryFlags: ['Express'] }, 'deliveryFlags', /Prime/],
    ];
    for (const [op, body, field, why] of cases)
      assertRefused(await call(op, body), [field], why, `${op} ${field}`);
    for (const condition of ['Any', 'New'])
      assert.equal((await call('getItems', { itemIds: ['B0DEMO0001'], condition })).status, 200);
  });

  it('every problem of a body is listed, in body order', async () => {
    const res = await call('searchItems', {
      keywords: 'lego',
      itemIdType: 'ASIN',
      itemCount: 'ten',
      condition: 'Used',
    });
    assertRefused(
      res,
      ['itemIdType', 'itemCount', 'condition'],
      /itemIdType|itemCount|condition/,
      'all',
    );
  });

  it('a body using every field of every model is accepted (the lists are not too strict)', async () => {
    const full: Record<string, Record<string, unknown>> = {
      getItems: { itemIds: ['B0DEMO0001'] },
      searchItems: {
        keywords: 'galettes',
        actor: 'a',
        artist: 'a',
        author: 'a',
        brand: 'a',
        title: 'a',
        availability: 'IncludeOutOfStock',
        browseNodeId: '6356734031',
        deliveryFlags: ['Prime'],
        itemCount: 10,
        itemPage: 1,
        maxPrice: 100000,
        minPrice: 1,
        minReviewsRating: 1,
        minSavingPercent: 1,
        searchIndex: 'All',
        sortBy: 'Relevance',
      },
      getVariations: { asin: 'B0DEMO0031', variationCount: 10, variationPage: 1 },
      getBrowseNodes: { browseNodeIds: ['6356734031'] },
    };
    const values: Record<string, unknown> = {
      partnerTag: 'demo-21',
      condition: 'Any',
      currencyOfPreference: 'EUR',
      languagesOfPreference: ['fr_FR'],
      properties: {},
      resources: [],
    };
    for (const [op, model] of Object.entries(CREATORS_REQUEST_MODELS)) {
      const body = { ...full[op] };
      for (const name of Object.keys(model)) if (!(name in body)) body[name] = values[name];
      assert.deepEqual(Object.keys(body).sort(), Object.keys(model).sort(), op);
      const res = await call(op, body);
      assert.notEqual(res.status, 400, `${op}: ${JSON.stringify(res.body)}`);
    }
  });
});

describe('lenient requests (--lenient-requests): unknown fields ignored, the model still typed', () => {
  let emu: RunningEmulator;
  let call: (op: string, body: Record<string, unknown>) => Promise<JsonResponse>;
  before(
    async () => ({ emu, call } = await withEmulator({ behaviour: { lenientRequests: true } })),
  );
  after(() => emu.close());

  it('ignores partnerType and itemIdType ASIN, still refuses other itemIdType, enums, types', async () => {
    const ok = await call('getItems', {
      itemIds: ['B0DEMO0001'],
      itemIdType: 'ASIN',
      partnerType: 'Associates',
      marketplace: 'www.amazon.fr',
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assertRefused(
      await call('getItems', { itemIds: ['B0DEMO0001'], itemIdType: 'EAN' }),
      ['itemIdType'],
      /itemIdType/,
      'itemIdType EAN',
    );
    assertRefused(
      await call('getItems', { itemIds: ['B0DEMO0001'], marketplace: 'www.amazon.de' }),
      ['marketplace'],
      /marketplace/,
      'body marketplace other than x-marketplace',
    );
    assertRefused(
      await call('getItems', { itemIds: ['B0DEMO0001'], condition: 'Used' }),
      ['condition'],
      /one of Any, New/,
      'enum',
    );
  });
});
