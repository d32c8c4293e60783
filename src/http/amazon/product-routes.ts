import type { FastifyInstance } from 'fastify';
import { asinProblem, isValidAsin, normalizeAsin } from '../../amazon/asin.js';
import type { AmazonClient } from '../../amazon/client.js';
import { findMarketplace, MARKETPLACES } from '../../amazon/marketplaces.js';
import { parseCode, type ValidCode } from '../../codes/index.js';
import { listRulesForCodes } from '../../matching/index.js';
import { requireAuth } from '../auth/request-auth.js';
import { HttpError } from '../http-error.js';
import {
  AMAZON_ERRORS,
  ASIN_PARAMS_SCHEMA,
  MARKETPLACE_QUERY_SCHEMA,
  PRODUCT_RESPONSE_SCHEMA,
  SEARCH_QUERY_SCHEMA,
  SEARCH_RESPONSE_SCHEMA,
  VALIDATE_RESPONSE_SCHEMA,
} from './amazon-schemas.js';
import { loadSettings, type AmazonRouteDeps } from './config-routes.js';

const TAGS = ['amazon'];

/** The client for the effective settings, in the requested marketplace (validated). */
async function clientFor(deps: AmazonRouteDeps, marketplace?: string): Promise<AmazonClient> {
  const { settings } = await loadSettings(deps);
  if (settings.enabled === false) {
    throw new HttpError(
      503,
      'amazon_disabled',
      'Amazon access is switched off: set AMAZON_PAAPI_ENABLED=true or PUT /api/v1/amazon/config {"enabled": true}.',
    );
  }
  if (marketplace === undefined) return deps.clients.clientFor(settings);
  const m = findMarketplace(marketplace);
  if (!m) {
    throw new HttpError(
      400,
      'invalid_marketplace',
      `Unknown marketplace "${marketplace}": use one of ${MARKETPLACES.map((x) => x.domain).join(', ')}.`,
      { marketplace },
    );
  }
  return deps.clients.clientFor({ ...settings, marketplace: m.domain });
}

function validCodeOf(raw: string): ValidCode {
  const parsed = parseCode(raw);
  if (!parsed.valid) {
    throw new HttpError(400, 'invalid_code', parsed.message, { reason: parsed.reason, code: raw });
  }
  return parsed;
}

function validAsinOf(raw: string): string {
  const asin = normalizeAsin(raw);
  if (!isValidAsin(asin)) throw new HttpError(400, 'invalid_asin', asinProblem(raw), { asin: raw });
  return asin;
}

/** `GET /products/search`, `GET /products/{asin}`, `GET /products/{asin}/validate`. */
export async function registerProductRoutes(
  app: FastifyInstance,
  deps: AmazonRouteDeps,
): Promise<void> {
  app.get<{ Querystring: { code: string; marketplace?: string } }>(
    '/products/search',
    {
      schema: {
        tags: TAGS,
        summary: 'Best ASIN for a barcode, with confidence, reasons and candidates',
        description:
          'Searches the code (one searchItems, a second page only when the first lists no item with the code) and scores the items with the matching module, applying your matching rules.',
        querystring: SEARCH_QUERY_SCHEMA,
        response: { 200: SEARCH_RESPONSE_SCHEMA, ...AMAZON_ERRORS },
      },
    },
    async (request) => {
      const code = validCodeOf(request.query.code);
      const client = await clientFor(deps, request.query.marketplace);
      return searchCode(deps, client, code, requireAuth(request).owner);
    },
  );

  app.get<{ Params: { asin: string }; Querystring: { marketplace?: string } }>(
    '/products/:asin',
    {
      schema: {
        tags: TAGS,
        summary: 'Full normalised product data of an ASIN',
        params: ASIN_PARAMS_SCHEMA,
        querystring: MARKETPLACE_QUERY_SCHEMA,
        response: { 200: PRODUCT_RESPONSE_SCHEMA, ...AMAZON_ERRORS },
      },
    },
    async (request) => {
      const asin = validAsinOf(request.params.asin);
      const client = await clientFor(deps, request.query.marketplace);
      const product = await client.fetchAmazonProductData(asin);
      const marketplace = client.marketplace.domain;
      if (!product) {
        throw new HttpError(
          404,
          'product_not_found',
          `${asin} was not returned by ${marketplace}: check the ASIN and the marketplace.`,
          { asin, marketplace },
        );
      }
      return { asin, marketplace, product };
    },
  );

  app.get<{ Params: { asin: string }; Querystring: { marketplace?: string } }>(
    '/products/:asin/validate',
    {
      schema: {
        tags: TAGS,
        summary: 'Whether an ASIN exists and is accessible on the marketplace',
        params: ASIN_PARAMS_SCHEMA,
        querystring: MARKETPLACE_QUERY_SCHEMA,
        response: { 200: VALIDATE_RESPONSE_SCHEMA, ...AMAZON_ERRORS },
      },
    },
    async (request) => {
      const asin = validAsinOf(request.params.asin);
      const client = await clientFor(deps, request.query.marketplace);
      const result = await client.validateAsinOnAmazon(asin);
      return { asin, marketplace: client.marketplace.domain, ...result };
    },
  );
}

async function searchCode(
  deps: AmazonRouteDeps,
  client: AmazonClient,
  code: ValidCode,
  owner: string,
): Promise<Record<string, unknown>> {
  const marketplace = client.marketplace.domain;
  const rules = await listRulesForCodes(deps.db, owner, marketplace, [code.gtin14]);
  // Every returned item is in `candidates` with its score; the raw items are not repeated.
  const { items: _items, ...result } = await client.searchAmazonByEan(code.code, { rules });
  // What the typed code became (the lookup page shows the repairs beside the answer).
  const alternatives = code.alternatives.map((a) => ({
    code: a.code,
    type: a.type,
    relation: a.relation,
  }));
  return { ...result, input: code.raw, repairs: code.flags, alternatives };
}
