import { foundByCode } from './catalog-index.js';
import type { KeepaCredential } from './catalog.js';
import { keepaStatsKey } from './catalog.js';
import type { EmulatorState } from './emulator-state.js';
import { drawFault } from './faults.js';
import { equivalenceKeys } from './gtin.js';
import { keepaProductView } from './keepa-product-view.js';
import type { ApiOutcome } from './reply.js';
import { jsonReply } from './reply.js';

/** Keepa's domain ids (reference §4) → marketplace domains. */
const DOMAINS: Readonly<Record<number, string>> = Object.freeze({
  1: 'www.amazon.com',
  2: 'www.amazon.co.uk',
  3: 'www.amazon.de',
  4: 'www.amazon.fr',
  5: 'www.amazon.co.jp',
  6: 'www.amazon.ca',
  8: 'www.amazon.it',
  9: 'www.amazon.es',
  10: 'www.amazon.in',
  11: 'www.amazon.com.mx',
  12: 'www.amazon.com.br',
});

const MAX_CODES = 100;

/** The error types of the reference's status mapping (KeepaAPI.java). */
const ERROR_TYPES: Readonly<Record<number, string>> = Object.freeze({
  400: 'REQUEST_REJECTED',
  402: 'PAYMENT_REQUIRED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  429: 'NOT_ENOUGH_TOKEN',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'INTERNAL_SERVER_ERROR',
});

interface KeepaCall {
  path: 'product' | 'token';
  method: string;
  query: URLSearchParams;
}

/**
 * `GET /product` (by `code` or `asin`, up to 100) and `GET /token` (free). Every answer carries
 * the key's token status; errors carry `error{type, message, details}` (RequestError.java).
 */
export function handleKeepa(state: EmulatorState, call: KeepaCall): ApiOutcome {
  const keyParam = call.query.get('key') ?? '';
  const cred = state.catalog.keepaKeys?.find((k) => k.key === keyParam);
  const credentialKey = cred ? keepaStatsKey(cred.key) : '-';
  const outcome = (
    reply: ApiOutcome['reply'],
    fault: ApiOutcome['fault'] = 'none',
  ): ApiOutcome => ({
    reply,
    credentialKey,
    kind: 'keepa',
    fault,
  });
  if (call.method !== 'GET') return outcome(error(405, 'Only GET is allowed.', null, cred, state));
  if (!cred) return outcome(error(400, 'Invalid access key.', 'key', null, state));
  const started = state.arrivedAt ?? state.now();
  if (call.path === 'token') return outcome(jsonReply(200, tokenBody(state, cred, 0, started)));
  if (cred.paid === false)
    return outcome(error(402, 'The API plan of this key has expired.', null, cred, state));
  const fault = drawFault(state.faults, state.rng);
  if (fault === 500 || fault === 503)
    return outcome(error(fault, 'Injected fault.', null, cred, state), fault);
  const request = readProductRequest(call.query);
  if (typeof request === 'string') return outcome(error(400, request, null, cred, state));
  if (!state.keepaTokens.admits(cred))
    return outcome(error(429, 'Not enough tokens.', null, cred, state));
  const products = findProducts(state, request);
  // Cost: 1 per product returned (reference §4 and §7.14), at least 1 per request.
  const cost = Math.max(1, products.length);
  state.keepaTokens.spend(cred, cost);
  return outcome(
    jsonReply(200, { ...tokenBody(state, cred, cost, started), products }),
    fault === 'none' ? 'none' : fault,
  );
}

interface ProductRequest {
  domainId: number;
  domain: string;
  codes: string[] | null;
  asins: string[] | null;
  stats: boolean;
  codeLimit: number | null;
}

function readProductRequest(q: URLSearchParams): ProductRequest | string {
  const domainId = Number(q.get('domain'));
  const domain = DOMAINS[domainId];
  if (!domain) return `Unknown domain "${q.get('domain') ?? ''}".`;
  const code = q.get('code');
  const asin = q.get('asin');
  if ((code === null) === (asin === null)) return 'Give either code or asin, not both.';
  const values = (code ?? asin ?? '').split(',').filter((v) => v !== '');
  if (values.length === 0 || values.length > MAX_CODES)
    return `Between 1 and ${MAX_CODES} ${code !== null ? 'codes' : 'ASINs'} per request.`;
  const limit = q.get('code-limit');
  return {
    domainId,
    domain,
    codes: code !== null ? values : null,
    asins: asin !== null ? values : null,
    stats: (q.get('stats') ?? '') !== '' && q.get('stats') !== '0',
    codeLimit: limit === null ? null : Math.max(1, Number(limit) || 1),
  };
}

/** The products of the codes (each once, request order) or of the ASINs. */
function findProducts(state: EmulatorState, r: ProductRequest): Record<string, unknown>[] {
  const market = state.index.get(r.domain);
  if (!market) return [];
  const found = new Map<string, Record<string, unknown>>();
  const add = (p: Parameters<typeof keepaProductView>[0]): void => {
    if (!found.has(p.asin)) found.set(p.asin, keepaProductView(p, market, r.domainId, r.stats));
  };
  for (const asin of r.asins ?? []) {
    const p = market.byAsin.get(asin);
    if (p) add(p);
  }
  for (const code of r.codes ?? []) {
    const matches = new Map<string, Parameters<typeof add>[0]>();
    for (const k of equivalenceKeys(code).filter((x) => x.startsWith('gtin:')))
      for (const p of market.byCode.get(k) ?? [])
        if (foundByCode(p, 'keepa')) matches.set(p.asin, p);
    [...matches.values()].slice(0, r.codeLimit ?? undefined).forEach(add);
  }
  return [...found.values()];
}

function tokenBody(
  state: EmulatorState,
  cred: KeepaCredential,
  consumed: number,
  started: number,
): Record<string, unknown> {
  const now = state.now();
  return {
    timestamp: now,
    ...state.keepaTokens.status(cred),
    tokenFlowReduction: 0,
    tokensConsumed: consumed,
    processingTimeInMs: Math.max(0, Math.round(now - started)),
  };
}

function error(
  status: number,
  message: string,
  details: string | null,
  cred: KeepaCredential | null | undefined,
  state: EmulatorState,
): ApiOutcome['reply'] {
  const tokens = cred
    ? { timestamp: state.now(), ...state.keepaTokens.status(cred), tokensConsumed: 0 }
    : {};
  return jsonReply(status, {
    ...tokens,
    error: { type: ERROR_TYPES[status] ?? 'REQUEST_REJECTED', message, details },
  });
}
