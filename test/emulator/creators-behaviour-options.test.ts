import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emulatorOptionsFromFlags } from '../../src/cli/emulator-run.js';
import type { EmulatorOptions } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { creatorsCall, creatorsToken, startTestEmulator, type JsonResponse } from './helpers.js';

// The emulator's relaxations, each off by default: response extras, throttle hints, flags.

type Node = Record<string, unknown> & { ancestor?: Node };

/** Every ancestor below `node` (not the node itself). */
function ancestors(node: Node | undefined): Node[] {
  const out: Node[] = [];
  for (let a = node?.ancestor; a; a = a.ancestor) out.push(a);
  return out;
}

async function withEmulator(options: EmulatorOptions) {
  const emu = await startTestEmulator(options);
  const token = await creatorsToken(emu, 0);
  return {
    emu,
    call: (op: string, body: Record<string, unknown>) => creatorsCall(emu, op, body, { token }),
  };
}

describe('response fields the SDK models lack', () => {
  const browseResources = ['browseNodeInfo.browseNodes', 'browseNodeInfo.browseNodes.ancestor'];
  const itemNode = async (
    call: (op: string, b: Record<string, unknown>) => Promise<JsonResponse>,
  ) => {
    const res = await call('getItems', { itemIds: ['B0DEMO0001'], resources: browseResources });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const item = (res.body.itemsResult as { items: { browseNodeInfo: { browseNodes: Node[] } }[] })
      .items[0];
    return item?.browseNodeInfo.browseNodes[0];
  };
  const browseNode = async (
    call: (op: string, b: Record<string, unknown>) => Promise<JsonResponse>,
  ) => {
    const res = await call('getBrowseNodes', {
      browseNodeIds: ['6356734031'],
      resources: ['browseNodes.ancestor'],
    });
    return (res.body.browseNodesResult as { browseNodes: Node[] }).browseNodes[0];
  };
  const variationSummary = async (
    call: (op: string, b: Record<string, unknown>) => Promise<JsonResponse>,
  ) => {
    const res = await call('getVariations', {
      asin: 'B0DEMO0031',
      resources: ['variationSummary.price.lowestPrice', 'variationSummary.price.highestPrice'],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body.variationsResult as { variationSummary: Record<string, unknown> })
      .variationSummary;
  };

  it('by default: ancestors without isRoot (the node keeps it), no variationSummary.price', async () => {
    const { emu, call } = await withEmulator({});
    try {
      for (const node of [await itemNode(call), await browseNode(call)]) {
        assert.equal(typeof node?.isRoot, 'boolean');
        assert.ok(ancestors(node).length >= 1, 'the node has an ancestor');
        for (const a of ancestors(node))
          assert.deepEqual(
            Object.keys(a)
              .filter((k) => k !== 'ancestor')
              .sort(),
            ['contextFreeName', 'displayName', 'id'],
          );
      }
      const summary = await variationSummary(call);
      assert.equal(summary.price, undefined);
      assert.equal(summary.variationCount, 3);
    } finally {
      await emu.close();
    }
  });

  it('with extraFields (--extra-fields): isRoot on ancestors and variationSummary.price', async () => {
    const { emu, call } = await withEmulator({ behaviour: { extraFields: true } });
    try {
      for (const node of [await itemNode(call), await browseNode(call)]) {
        const chain = ancestors(node);
        assert.ok(chain.every((a) => typeof a.isRoot === 'boolean'));
        assert.equal(chain.at(-1)?.isRoot, true, 'the last ancestor is the root');
      }
      const price = (await variationSummary(call)).price as Record<string, { amount: number }>;
      assert.equal(price.lowestPrice?.amount, 19.9);
      assert.ok((price.highestPrice?.amount ?? 0) >= 19.9);
    } finally {
      await emu.close();
    }
  });
});

describe('throttle hints (--throttle-hints)', () => {
  it('429 adds retryAfterSeconds and Retry-After', async () => {
    const emu = await startEmulator({
      port: 0,
      tps: 1,
      burst: 1,
      tpd: 2,
      behaviour: { throttleHints: true },
    });
    try {
      const token = await creatorsToken(emu);
      const search = () => creatorsCall(emu, 'searchItems', { keywords: 'lego' }, { token });
      const statuses = [await search(), await search()];
      const perSecond = statuses[1];
      assert.equal(perSecond?.status, 429);
      assert.equal(perSecond?.body.quotaCode, 'RequestsPerSecond');
      assert.equal(perSecond?.body.retryAfterSeconds, 1);
      assert.equal(perSecond?.headers.get('retry-after'), '1');
    } finally {
      await emu.close();
    }
  });
});

describe('emulator flags and variables', () => {
  const base = { port: 0, host: '127.0.0.1', seed: 1 };
  it('strict unless a flag or CODE2ASIN_EMULATOR_* variable relaxes it', () => {
    assert.deepEqual(emulatorOptionsFromFlags(base, {}).behaviour, {
      lenientRequests: false,
      throttleHints: false,
      extraFields: false,
    });
    assert.deepEqual(
      emulatorOptionsFromFlags({ ...base, lenientRequests: true, extraFields: true }, {}).behaviour,
      { lenientRequests: true, throttleHints: false, extraFields: true },
    );
    const env = {
      CODE2ASIN_EMULATOR_LENIENT_REQUESTS: '1',
      CODE2ASIN_EMULATOR_THROTTLE_HINTS: 'true',
      CODE2ASIN_EMULATOR_EXTRA_FIELDS: '0',
    };
    assert.deepEqual(emulatorOptionsFromFlags(base, env).behaviour, {
      lenientRequests: true,
      throttleHints: true,
      extraFields: false,
    });
  });
});
