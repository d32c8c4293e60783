import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CatalogProduct, SpapiCredential } from './catalog.js';
import { foundByCode, type MarketIndex } from './catalog-index.js';
import type { EmulatorState } from './emulator-state.js';
import { DEFAULT_QUOTA } from './emulator-state.js';
import { drawFault } from './faults.js';
import { equivalenceKeys, hasValidGs1Check, isValidIsbn10 } from './gtin.js';
import type { ApiOutcome, Reply } from './reply.js';
import { jsonReply } from './reply.js';
import { domainOfMarketplaceId } from './spapi-marketplace-ids.js';
import { INCLUDED_DATA, spapiItem } from './spapi-view.js';

/** Catalog Items' published default quota (reference §3.3). */
const SPAPI_QUOTA = { tps: 2, burst: 2, tpd: DEFAULT_QUOTA.tpd * 1000 };
const MAX_IDENTIFIERS = 20;

class SpapiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}

const invalid = (message: string, details = '') =>
  new SpapiError(400, 'InvalidInput', message, details);

function errorReply(e: SpapiError, rate: number): Reply {
  return jsonReply(
    e.status,
    { errors: [{ code: e.code, message: e.message, details: e.details }] },
    { 'x-amzn-RateLimit-Limit': String(rate) },
  );
}

function authenticate(state: EmulatorState, headers: IncomingHttpHeaders): SpapiCredential {
  const token = headers['x-amz-access-token'];
  const check = typeof token === 'string' && token ? state.spapiTokens.check(token) : null;
  if (check?.ok) return check.credential;
  const details = !check
    ? 'The request has no x-amz-access-token header.'
    : check.expired
      ? 'The access token you provided has expired.'
      : 'The access token you provided is revoked, malformed or invalid.';
  throw new SpapiError(403, 'Unauthorized', 'Access to requested resource is denied.', details);
}

function quotaOf(state: EmulatorState, c: SpapiCredential) {
  return {
    tps: state.quotaOverride.tps ?? c.quota?.tps ?? SPAPI_QUOTA.tps,
    burst: state.quotaOverride.burst ?? c.quota?.burst ?? SPAPI_QUOTA.burst,
    tpd: state.quotaOverride.tpd ?? c.quota?.tpd ?? SPAPI_QUOTA.tpd,
  };
}

/**
 * `GET /catalog/2022-04-01/items` (searchCatalogItems) and `…/items/{asin}` (getCatalogItem):
 * token, then quota (2/s burst 2 per client id unless the catalog or options say otherwise),
 * then fault injection, then the request itself.
 */
export function handleSpapi(
  state: EmulatorState,
  path: string,
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
): ApiOutcome & { op: string } {
  const asin = /^\/catalog\/2022-04-01\/items\/([^/]+)$/.exec(path)?.[1];
  const op = asin === undefined ? 'searchCatalogItems' : 'getCatalogItem';
  let credentialKey = '-';
  let rate = SPAPI_QUOTA.tps;
  try {
    if (method !== 'GET') throw new SpapiError(404, 'NotFound', `No ${method} operation here.`);
    const cred = authenticate(state, headers);
    credentialKey = cred.clientId;
    const quota = quotaOf(state, cred);
    rate = quota.tps;
    const decision = state.quota.take(cred.clientId, quota, state.arrivedAt);
    if (!decision.allowed)
      throw new SpapiError(
        429,
        'QuotaExceeded',
        'You exceeded your quota for the requested resource.',
      );
    const fault = drawFault(state.faults, state.rng);
    if (fault === 500 || fault === 503)
      throw new SpapiError(
        fault,
        fault === 500 ? 'InternalFailure' : 'ServiceUnavailable',
        'We encountered an internal error. Please try again.',
      );
    const query = new URL(url, 'http://emulator').searchParams;
    const body =
      asin === undefined
        ? search(state, query, cred)
        : getItem(state, decodeURIComponent(asin), query, cred);
    return {
      reply: jsonReply(200, body, { 'x-amzn-RateLimit-Limit': String(rate) }),
      credentialKey,
      kind: 'spapi',
      fault,
      op,
    };
  } catch (e) {
    if (!(e instanceof SpapiError)) throw e;
    return { reply: errorReply(e, rate), credentialKey, kind: 'spapi', fault: 'none', op };
  }
}

function csv(query: URLSearchParams, name: string): string[] {
  const v = query.get(name);
  return v === null || v.trim() === '' ? [] : v.split(',').map((s) => s.trim());
}

function marketOf(
  state: EmulatorState,
  query: URLSearchParams,
  cred: SpapiCredential,
): { market: MarketIndex; id: string } {
  const ids = csv(query, 'marketplaceIds');
  if (ids.length === 0) throw invalid("Missing required 'marketplaceIds'.");
  if (ids.length > 1) throw invalid("'marketplaceIds' accepts one marketplace id.");
  const id = ids[0] as string;
  const domain = domainOfMarketplaceId(id);
  const market = domain ? state.index.get(domain) : undefined;
  if (!domain || !market) throw invalid(`Invalid marketplace identifier: ${id}.`);
  if (cred.marketplaces?.length && !cred.marketplaces.includes(domain))
    throw new SpapiError(
      403,
      'Unauthorized',
      'Access to requested resource is denied.',
      `The seller is not authorised in ${id}.`,
    );
  return { market, id };
}

function includedOf(query: URLSearchParams): Set<string> {
  const wanted = csv(query, 'includedData');
  for (const w of wanted)
    if (!(INCLUDED_DATA as readonly string[]).includes(w))
      throw invalid(`Invalid includedData value: ${w}.`);
  return new Set(wanted.length > 0 ? wanted : ['summaries']);
}

/** The shape each identifiersType accepts; GTIN-family numbers must carry a valid check digit. */
function isWellFormed(type: string, id: string): boolean {
  if (type === 'ASIN') return /^[0-9]{9}[0-9X]$|^[A-Z][A-Z0-9]{9}$/.test(id);
  if (type === 'ISBN')
    return isValidIsbn10(id) || (/^97[89]\d{10}$/.test(id) && hasValidGs1Check(id));
  const lengths: Record<string, RegExp> = {
    EAN: /^\d{8}$|^\d{13}$/,
    JAN: /^\d{8}$|^\d{13}$/,
    UPC: /^\d{12}$/,
    GTIN: /^\d{8}$|^\d{12,14}$/,
  };
  const shape = lengths[type];
  return shape !== undefined && shape.test(id) && hasValidGs1Check(id);
}

function productsFor(market: MarketIndex, type: string, ids: string[]): CatalogProduct[] {
  const out = new Map<string, CatalogProduct>();
  for (const id of ids) {
    if (type === 'ASIN') {
      const p = market.byAsin.get(id);
      if (p) out.set(p.asin, p);
      continue;
    }
    // Every GTIN-family identifier is one GTIN to Amazon (reference §3.3): an EAN query also
    // finds the item that lists the number as a UPC or a GTIN-14.
    for (const key of equivalenceKeys(id).filter((k) => !k.startsWith('raw:')))
      for (const p of market.byCode.get(key) ?? []) if (foundByCode(p, 'spapi')) out.set(p.asin, p);
  }
  return [...out.values()];
}

function search(state: EmulatorState, query: URLSearchParams, cred: SpapiCredential): unknown {
  const { market, id } = marketOf(state, query, cred);
  const ids = csv(query, 'identifiers');
  const type = query.get('identifiersType') ?? '';
  if (ids.length === 0) throw invalid("Missing required 'identifiers' or 'keywords'.");
  if (ids.length > MAX_IDENTIFIERS)
    throw invalid(
      `'identifiers' accepts at most ${MAX_IDENTIFIERS} values; ${ids.length} were given.`,
    );
  if (!['ASIN', 'EAN', 'GTIN', 'ISBN', 'JAN', 'UPC'].includes(type))
    throw invalid(`Invalid identifiersType: ${type || '(missing)'}.`);
  const bad = ids.find((i) => !isWellFormed(type, i));
  if (bad !== undefined)
    throw invalid(`Invalid '${type}' provided.`, `Identifier ${bad} is not a valid ${type}.`);
  const pageSize = Number(query.get('pageSize') ?? '10');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 20)
    throw invalid("'pageSize' must be between 1 and 20.");
  const included = includedOf(query);
  const all = productsFor(market, type, ids);
  // The token binds the query it continues: a token used with another query is refused.
  const fingerprint = createHash('sha256')
    .update(`${type}|${ids.join(',')}|${id}`)
    .digest('base64url')
    .slice(0, 12);
  const offset = offsetOf(query.get('pageToken'), fingerprint);
  const page = all.slice(offset, offset + pageSize);
  const next = offset + pageSize < all.length ? tokenOf(offset + pageSize, fingerprint) : undefined;
  return {
    numberOfResults: all.length,
    pagination: next ? { nextToken: next } : {},
    refinements: { brands: [], classifications: [] },
    items: page.map((p) => spapiItem(p, market, id, included)),
  };
}

function tokenOf(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint })).toString('base64url');
}

function offsetOf(token: string | null, fingerprint: string): number {
  if (token === null) return 0;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      q?: unknown;
    };
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o > 0 && t.q === fingerprint)
      return t.o;
  } catch {
    // fall through: refused below
  }
  throw invalid(
    'Invalid pageToken.',
    'Pass pagination.nextToken back exactly as received, with the same query.',
  );
}

function getItem(
  state: EmulatorState,
  asin: string,
  query: URLSearchParams,
  cred: SpapiCredential,
): unknown {
  const { market, id } = marketOf(state, query, cred);
  const included = includedOf(query);
  if (!isWellFormed('ASIN', asin)) throw invalid(`Invalid 'asin' provided.`);
  const p = market.byAsin.get(asin);
  if (!p)
    throw new SpapiError(
      404,
      'NotFound',
      `Requested item '${asin}' not found in marketplace(s): ${id}.`,
    );
  return spapiItem(p, market, id, included);
}
