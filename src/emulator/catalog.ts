import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { findMarketplace } from './marketplaces.js';

const asin = z.string().regex(/^[0-9]{9}[0-9X]$|^[A-Z][A-Z0-9]{9}$/, 'an ASIN (10 characters)');
const quota = z.object({
  tps: z.number().positive().optional(),
  burst: z.number().int().positive().optional(),
  tpd: z.number().int().positive().optional(),
});

const productSchema = z.object({
  asin,
  title: z.string().min(1),
  brand: z.string().optional(),
  manufacturer: z.string().optional(),
  eans: z.array(z.string()).optional(),
  upcs: z.array(z.string()).optional(),
  isbns: z.array(z.string()).optional(),
  price: z.number().nonnegative().optional(),
  currency: z.string().length(3).optional(),
  availability: z
    .enum(['IN_STOCK', 'IN_STOCK_SCARCE', 'OUT_OF_STOCK', 'PREORDER', 'UNAVAILABLE'])
    .optional(),
  rating: z.number().min(1).max(5).optional(),
  reviewCount: z.number().int().nonnegative().optional(),
  salesRank: z.number().int().positive().optional(),
  images: z.array(z.string()).optional(),
  browseNodeId: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  category: z.string().optional(),
  searchIndex: z.string().optional(),
  parentAsin: asin.optional(),
  isParent: z.boolean().optional(),
  variationAttributes: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  features: z.array(z.string()).optional(),
  searchTerms: z.array(z.string()).optional(),
  accessible: z.boolean().optional(),
  /** `itemInfo.productInfo.unitCount`: identical units in the package. */
  unitCount: z.number().int().positive().optional(),
  /** The offer's `condition.value` (default `New`). */
  condition: z.enum(['New', 'Used', 'Refurbished']).optional(),
  /**
   * The protocols whose search by code finds this product (absent: every one). No real source
   * sees every product; a test of a provider chain makes each provider find a different part
   * of a catalog with it. Lookups by ASIN (getItems, getCatalogItem, Keepa `asin=`) still find it.
   */
  codeProtocols: z.array(z.enum(['creators', 'paapi', 'spapi', 'keepa'])).optional(),
});

const browseNodeSchema = z.object({
  id: z.string().regex(/^\d{1,19}$/),
  name: z.string(),
  parentId: z.string().optional(),
  salesRank: z.number().int().positive().optional(),
});

const marketplaceSchema = z.object({
  products: z.array(productSchema),
  browseNodes: z.array(browseNodeSchema).optional(),
});

const creatorsCredential = z.object({
  kind: z.literal('creators'),
  id: z.string().min(1),
  secret: z.string().min(1),
  version: z.enum(['2.1', '2.2', '2.3', '3.1', '3.2', '3.3']),
  partnerTag: z.string().min(1).max(64),
  marketplaces: z.array(z.string()).optional(),
  quota: quota.optional(),
  eligible: z.boolean().optional(),
  label: z.string().optional(),
});

const paapiCredential = z.object({
  kind: z.literal('paapi'),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  partnerTag: z.string().min(1).max(64),
  region: z.enum(['us-east-1', 'eu-west-1', 'us-west-2']),
  marketplaces: z.array(z.string()).optional(),
  quota: quota.optional(),
  eligible: z.boolean().optional(),
  label: z.string().optional(),
});

/** An SP-API app self-authorised by a seller: LWA client id/secret and the refresh token. */
const spapiCredential = z.object({
  kind: z.literal('spapi'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  marketplaces: z.array(z.string()).optional(),
  quota: quota.optional(),
  label: z.string().optional(),
});

const keepaCredential = z.object({
  /** The access key (a secret: the stats show a hash of it, see `keepaStatsKey`). */
  key: z.string().min(1),
  /** Tokens added every minute (the plan); default 20. */
  refillRate: z.number().int().positive().optional(),
  /** Balance when the emulator starts; default an hour of refills (Keepa's cap). */
  tokens: z.number().int().optional(),
  /** false: every call but /token answers 402 Payment Required (an expired plan). */
  paid: z.boolean().optional(),
  label: z.string().optional(),
});

const catalogSchema = z.object({
  version: z.literal(1).optional(),
  marketplaces: z.record(z.string(), marketplaceSchema),
  credentials: z
    .array(z.discriminatedUnion('kind', [creatorsCredential, paapiCredential, spapiCredential]))
    .min(1),
  /** Keepa keys (Keepa is not an Amazon credential: no marketplaces, tags or quotas per second). */
  keepaKeys: z.array(keepaCredential).optional(),
  noise: z
    .object({
      unrelatedPerCodeSearch: z.number().int().min(0).max(20).optional(),
    })
    .optional(),
  truth: z
    .array(
      z.object({
        code: z.string(),
        asin: asin.nullable(),
        case: z.string(),
        marketplace: z.string().optional(),
        row: z
          .object({
            title: z.string().optional(),
            brand: z.string().optional(),
            quantity: z.number().int().positive().optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

/** A product as listed in one marketplace (see the README, "Catalog format", for every field). */
export type CatalogProduct = z.infer<typeof productSchema>;
/** A browse node (category) of one marketplace. */
export type CatalogBrowseNode = z.infer<typeof browseNodeSchema>;
/** A Creators API credential the emulator accepts. */
export type CreatorsCredential = z.infer<typeof creatorsCredential>;
/** A PA-API 5.0 key pair the emulator accepts. */
export type PaapiCredential = z.infer<typeof paapiCredential>;
/** An SP-API app authorisation the emulator accepts. */
export type SpapiCredential = z.infer<typeof spapiCredential>;
/** A Keepa key the emulator accepts, with its plan. */
export type KeepaCredential = z.infer<typeof keepaCredential>;
/** Any credential of the catalog. */
export type EmulatorCredential = CreatorsCredential | PaapiCredential | SpapiCredential;
/** One row of the ground truth of a generated catalog. */
export interface TruthEntry {
  code: string;
  asin: string | null;
  case: string;
  marketplace?: string;
  /** What the supplier's file says about the row (title, brand, pack quantity), when known. */
  row?: { title?: string; brand?: string; quantity?: number };
}
/** The whole emulator data set: products per marketplace, credentials, noise, truth. */
export type EmulatorCatalog = z.infer<typeof catalogSchema>;

/** Error thrown for an invalid catalog; the message names the bad path. */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** Validates a parsed catalog; throws CatalogError naming the first bad paths. */
export function validateCatalog(data: unknown, source = 'catalog'): EmulatorCatalog {
  const parsed = catalogSchema.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 5)
      .map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new CatalogError(`Invalid emulator catalog ${source}:\n${lines.join('\n')}`);
  }
  checkConsistency(parsed.data, source);
  return parsed.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

function checkConsistency(catalog: EmulatorCatalog, source: string): void {
  const fail = (path: string, message: string): never => {
    throw new CatalogError(`Invalid emulator catalog ${source}:\n  ${path}: ${message}`);
  };
  for (const [domain, market] of Object.entries(catalog.marketplaces)) {
    if (!findMarketplace(domain)) fail(`$.marketplaces.${domain}`, 'unknown marketplace domain');
    const seen = new Set<string>();
    market.products.forEach((p, i) => {
      const path = `$.marketplaces.${domain}.products[${i}]`;
      if (seen.has(p.asin)) fail(`${path}.asin`, `duplicate ASIN ${p.asin}`);
      seen.add(p.asin);
    });
    market.products.forEach((p, i) => {
      if (p.parentAsin && !seen.has(p.parentAsin))
        fail(`$.marketplaces.${domain}.products[${i}].parentAsin`, `no product ${p.parentAsin}`);
    });
  }
  catalog.credentials.forEach((c, i) => {
    for (const m of c.marketplaces ?? [])
      if (!findMarketplace(m)) fail(`$.credentials[${i}].marketplaces`, `unknown marketplace ${m}`);
  });
}

/** Reads and validates a catalog JSON file. */
export function loadCatalogFile(file: string): EmulatorCatalog {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CatalogError(`Cannot read emulator catalog ${file}: ${why}`);
  }
  return validateCatalog(data, file);
}

/** The key a credential is known by in stats and quotas (credential id or access key). */
export function credentialKey(c: EmulatorCredential): string {
  if (c.kind === 'spapi') return c.clientId;
  return c.kind === 'creators' ? c.id : c.accessKey;
}

/** How the stats name a Keepa key: `keepa-` and a hash, never the key itself. */
export function keepaStatsKey(key: string): string {
  return `keepa-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
