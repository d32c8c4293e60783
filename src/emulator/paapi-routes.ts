import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, cannotParse, validationError } from './api-error.js';
import { admit } from './admission.js';
import type { PaapiCredential } from './catalog.js';
import type { EmulatorState } from './emulator-state.js';
import type { MarketplaceInfo } from './marketplaces.js';
import { findMarketplace, marketplaceOfPaapiHost } from './marketplaces.js';
import { runOperation } from './operations.js';
import { accessKeyOf, verifyPaapiSignature } from './paapi-auth.js';
import { camelKey, toPascalDeep } from './paapi-case.js';
import { paapiErrorReply, paapiPartialErrors } from './paapi-errors.js';
import type { ApiOutcome } from './reply.js';
import { jsonReply } from './reply.js';
import type { OperationName } from './resources.js';
import type { SignableRequest } from './sigv4-verify.js';

const OPERATIONS: Record<string, [OperationName, string]> = {
  getitems: ['getItems', 'GetItems'],
  searchitems: ['searchItems', 'SearchItems'],
  getvariations: ['getVariations', 'GetVariations'],
  getbrowsenodes: ['getBrowseNodes', 'GetBrowseNodes'],
};
const TARGET_PREFIX = 'com.amazon.paapi5.v1.ProductAdvertisingAPIv1.';

function paErr(status: number, code: string, message: string): ApiError {
  return new ApiError({ status, type: `${code}Exception`, code, message });
}

function parseBody(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The store: body `Marketplace`, else the PA-API host, else the credential's region default. */
function marketplaceOf(
  json: Record<string, unknown> | undefined,
  host: string,
  fallback: MarketplaceInfo,
): MarketplaceInfo {
  const named = json?.Marketplace;
  if (typeof named === 'string') {
    const info = findMarketplace(named);
    if (!info) throw validationError([{ field: 'marketplace', kind: 'invalid', value: named }]);
    return info;
  }
  return marketplaceOfPaapiHost(host) ?? fallback;
}

function toCamelBody(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (!/^[A-Z]/.test(k))
      throw paErr(
        400,
        'InvalidParameterValue',
        `The parameter ${k} is not supported. PA-API 5.0 parameters are PascalCase.`,
      );
    if (k !== 'PartnerType' && k !== 'Marketplace' && k !== 'Operation') out[camelKey(k)] = v;
  }
  return out;
}

function checkPaapiBody(json: Record<string, unknown>): void {
  if (json.PartnerType === undefined)
    throw validationError([{ field: 'partnerType', kind: 'missing' }]);
  if (json.PartnerType !== 'Associates')
    throw validationError([
      { field: 'partnerType', kind: 'invalid', value: json.PartnerType, detail: 'Associates' },
    ]);
  const offersV1 = Array.isArray(json.Resources)
    ? json.Resources.find((r) => typeof r === 'string' && r.startsWith('Offers.'))
    : undefined;
  if (offersV1)
    throw paErr(
      400,
      'InvalidParameterValue',
      `The value [${String(offersV1)}] provided in the request for Resources is invalid. Offers (V1) is no longer available; use OffersV2 resources.`,
    );
}

/** Input of one PA-API call. */
export interface PaapiCall {
  opPath: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

function authenticate(
  state: EmulatorState,
  call: PaapiCall,
  opName: string,
  json: Record<string, unknown> | undefined,
): [PaapiCredential, MarketplaceInfo] {
  const header = (n: string): string | undefined => {
    const v = call.headers[n];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const key = accessKeyOf(header('authorization'));
  const keyCred = state.catalog.credentials.find(
    (c): c is PaapiCredential => c.kind === 'paapi' && c.accessKey === key,
  );
  const fallback =
    findMarketplace(keyCred?.marketplaces?.[0] ?? '') ?? [...state.index.values()][0]?.info;
  const marketplace = marketplaceOf(
    json,
    header('host') ?? '',
    fallback ?? (findMarketplace('www.amazon.com') as MarketplaceInfo),
  );
  const request: SignableRequest = {
    method: call.method,
    url: call.url,
    rawHeaders: pairs(call.rawHeaders),
    body: call.body,
  };
  const cred = verifyPaapiSignature({
    request,
    header,
    credentials: state.catalog.credentials,
    marketplace,
    now: Date.now(),
  });
  if (header('x-amz-target') !== TARGET_PREFIX + opName)
    throw paErr(
      400,
      'InvalidParameterValue',
      `X-Amz-Target must be ${TARGET_PREFIX}${opName} for this path.`,
    );
  if (header('content-encoding') !== 'amz-1.0')
    throw paErr(400, 'InvalidParameterValue', 'Content-Encoding must be amz-1.0.');
  return [cred, marketplace];
}

function checkMarketplace(state: EmulatorState, cred: PaapiCredential, info: MarketplaceInfo) {
  const allowed = cred.marketplaces ?? [];
  const market = state.index.get(info.domain);
  if (
    info.paapiRegion !== cred.region ||
    (allowed.length && !allowed.includes(info.domain)) ||
    !market
  )
    throw new ApiError({
      status: 403,
      type: 'AssociateValidationException',
      code: 'InvalidAssociate',
      message: `Your access key is not mapped to a Primary of the requested marketplace ${info.domain}.`,
    });
  return market;
}

/** Handles `POST /paapi5/<operation>` of PA-API 5.0. */
export function handlePaapi(state: EmulatorState, call: PaapiCall): ApiOutcome {
  let credentialKey = accessKeyOf(call.headers.authorization) ?? '-';
  try {
    const entry = OPERATIONS[call.opPath];
    if (!entry || call.method !== 'POST')
      throw paErr(
        404,
        'UnknownOperation',
        'The requested operation is not supported. Please verify that the operation name is correct.',
      );
    const json = parseBody(call.body.toString('utf8'));
    const [cred, info] = authenticate(state, call, entry[1], json);
    credentialKey = cred.accessKey;
    const market = checkMarketplace(state, cred, info);
    const { fault } = admit(state, cred, 'paapi');
    if (!json) throw cannotParse();
    checkPaapiBody(json);
    const ctx = {
      market,
      partnerTag: cred.partnerTag,
      protocol: 'paapi' as const,
      rng: state.rng,
      noise: state.catalog.noise?.unrelatedPerCodeSearch ?? 0,
      extraFields: false,
    };
    const result = runOperation(entry[0], toCamelBody(json), ctx);
    const { errors, ...rest } = result as { errors?: { code: string; message: string }[] };
    const body = toPascalDeep(rest) as Record<string, unknown>;
    if (errors) body.Errors = paapiPartialErrors(errors);
    return { reply: jsonReply(200, body), credentialKey, kind: 'paapi', fault };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { reply: paapiErrorReply(error), credentialKey, kind: 'paapi', fault: 'none' };
  }
}
