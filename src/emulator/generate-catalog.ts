import type { CatalogBrowseNode, EmulatorCatalog, EmulatorCredential } from './catalog.js';
import type { CaseBuilder, GenContext } from './generate-cases.js';
import { CASES } from './generate-cases.js';
import { BOOKS, CATEGORIES, CodeFactory } from './generate-products.js';
import type { Random } from './random.js';
import { createRandom } from './random.js';

const SECRET_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function credentials(rng: Random): EmulatorCredential[] {
  const secret = (): string => rng.chars(40, SECRET_CHARS);
  const quota = { tps: 1, burst: 1, tpd: 8640 };
  return [
    {
      kind: 'creators',
      label: 'EU, Cognito (2.2)',
      id: rng.chars(26, SECRET_CHARS),
      secret: secret(),
      version: '2.2',
      partnerTag: 'emulator-21',
      quota,
    },
    {
      kind: 'creators',
      label: 'EU, Login with Amazon (3.2)',
      id: `amzn1.application-oa2-client.${rng.chars(32, '0123456789abcdef')}`,
      secret: `amzn1.oa2-cs.v1.${secret()}`,
      version: '3.2',
      partnerTag: 'emulator-21',
      quota,
    },
    {
      kind: 'creators',
      label: 'NA, Login with Amazon (3.1)',
      id: `amzn1.application-oa2-client.${rng.chars(32, '0123456789abcdef')}`,
      secret: `amzn1.oa2-cs.v1.${secret()}`,
      version: '3.1',
      partnerTag: 'emulator-20',
      quota,
    },
    {
      kind: 'creators',
      label: 'EU, not eligible (2.2)',
      id: rng.chars(26, SECRET_CHARS),
      secret: secret(),
      version: '2.2',
      partnerTag: 'emulator-21',
      quota,
      eligible: false,
    },
    {
      kind: 'paapi',
      label: 'PA-API eu-west-1',
      accessKey: `AKIA${rng.chars(16, KEY_CHARS)}`,
      secretKey: rng.chars(40, `${SECRET_CHARS}ABCDEFGHIJ/+`),
      partnerTag: 'emulator-21',
      region: 'eu-west-1',
      quota,
    },
    {
      kind: 'paapi',
      label: 'PA-API, not eligible',
      accessKey: `AKIA${rng.chars(16, KEY_CHARS)}`,
      secretKey: rng.chars(40, SECRET_CHARS),
      partnerTag: 'emulator-21',
      region: 'eu-west-1',
      quota,
      eligible: false,
    },
    // Fixed values, no draw: adding it left every generated product as it was.
    SPAPI_CREDENTIAL,
  ];
}

/** The SP-API app of generated catalogs, at the published Catalog Items quota (2/s, burst 2). */
const SPAPI_CREDENTIAL: EmulatorCredential = Object.freeze({
  kind: 'spapi',
  label: 'SP-API, self-authorised app',
  clientId: 'amzn1.application-oa2-client.emulatorspapi0000000000000001',
  clientSecret: 'amzn1.oa2-cs.v1.emulator-spapi-secret-0001',
  refreshToken: 'Atzr|IwEBIemulator-spapi-refresh-token-0001',
  quota: { tps: 2, burst: 2, tpd: 1_000_000 },
});

function browseNodes(): CatalogBrowseNode[] {
  return [...CATEGORIES, BOOKS].flatMap((c, i) => {
    const parentId = String(1_000_000 + i);
    return [
      { id: parentId, name: c.parentNodeName },
      { id: c.node, name: c.nodeName, parentId },
    ];
  });
}

function pickCase(cases: readonly CaseBuilder[], rng: Random, budget: number): CaseBuilder {
  const fitting = cases.filter((c) => c.size <= budget);
  const total = fitting.reduce((s, c) => s + c.weight, 0);
  let r = rng.next() * total;
  for (const c of fitting) if ((r -= c.weight) < 0) return c;
  return fitting[0] as CaseBuilder;
}

/**
 * Builds a deterministic catalog of `count` products on www.amazon.fr: every ambiguity case
 * (each at least once when `count` allows it, then in weighted proportions), credentials drawn
 * from the same seed, and the truth table of every code.
 */
export function generateCatalog(count: number, seed: number): EmulatorCatalog {
  return generateCatalogWith(CASES, count, seed);
}

/** `generateCatalog` over another set of cases (the labelled harness adds its hard cases). */
export function generateCatalogWith(
  cases: readonly CaseBuilder[],
  count: number,
  seed: number,
): EmulatorCatalog {
  const rng = createRandom(seed);
  const creds = credentials(rng);
  const ctx: GenContext = { rng, codes: new CodeFactory(rng), products: [], truth: [] };
  for (const c of cases) if (ctx.products.length + c.size <= count) c.build(ctx);
  while (ctx.products.length < count) pickCase(cases, rng, count - ctx.products.length).build(ctx);
  return {
    version: 1,
    marketplaces: { 'www.amazon.fr': { products: ctx.products, browseNodes: browseNodes() } },
    credentials: creds,
    // Fixed (no draw from rng): adding it changed no generated product or credential.
    keepaKeys: [
      {
        key: 'emulator-keepa-key-0000000000000000000000000000000000000001',
        refillRate: 60,
        label: 'Keepa, 60 tokens/min',
      },
    ],
    noise: { unrelatedPerCodeSearch: 1 },
    truth: ctx.truth,
  };
}
