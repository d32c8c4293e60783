import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, cannotParse, validationError } from './api-error.js';
import { admit } from './admission.js';
import type { CreatorsCredential } from './catalog.js';
import { creatorsErrorReply, unauthorized, UNAUTHORIZED_MESSAGES } from './creators-errors.js';
import { checkRequestModel } from './creators-request-models.js';
import type { EmulatorState } from './emulator-state.js';
import type { MarketIndex } from './catalog-index.js';
import { findMarketplace, regionOfVersion } from './marketplaces.js';
import { runOperation } from './operations.js';
import { jsonReply } from './reply.js';
import type { ApiOutcome } from './reply.js';
import type { OperationName } from './resources.js';

const OPERATIONS: Record<string, OperationName> = {
  getItems: 'getItems',
  searchItems: 'searchItems',
  getVariations: 'getVariations',
  getBrowseNodes: 'getBrowseNodes',
};

function fail(reason: string): never {
  throw unauthorized(reason, UNAUTHORIZED_MESSAGES[reason] ?? reason);
}

/** Checks `Authorization: Bearer <token>[, Version <v>]` against the issued tokens. */
export function authenticateCreators(
  state: EmulatorState,
  authorization: string | undefined,
): CreatorsCredential {
  if (!authorization?.trim()) fail('MissingCredential');
  const m = /^Bearer\s+([^\s,]+)\s*(?:,\s*Version\s+(\S+))?\s*$/i.exec(authorization ?? '');
  if (!m?.[1]) fail('InvalidToken');
  const check = state.tokens.check(m?.[1] ?? '');
  if (!check.ok) fail(check.reason);
  const cred = (check as { credential: CreatorsCredential }).credential;
  const version = m?.[2];
  // 2.x credentials must name their version; 3.x (LWA) must not ("No version header required").
  if (cred.version.startsWith('2.') ? version !== cred.version : version !== undefined)
    fail('InvalidIssuer');
  return cred;
}

function marketOf(state: EmulatorState, cred: CreatorsCredential, header: unknown): MarketIndex {
  if (typeof header !== 'string' || header.trim() === '')
    throw validationError([{ field: 'x-marketplace', kind: 'missing' }]);
  const info = findMarketplace(header);
  if (!info) throw validationError([{ field: 'x-marketplace', kind: 'invalid', value: header }]);
  const allowed = cred.marketplaces ?? [];
  if (
    info.region !== regionOfVersion(cred.version) ||
    (allowed.length && !allowed.includes(info.domain))
  )
    throw new ApiError({
      status: 400,
      type: 'ValidationException',
      reason: 'InvalidAssociate',
      message:
        'Your credential is not linked to the partner tag in the request for the given Marketplace.',
    });
  const market = state.index.get(info.domain);
  if (!market) throw validationError([{ field: 'x-marketplace', kind: 'invalid', value: header }]);
  return market;
}

function unknownOperation(): ApiError {
  return new ApiError({
    status: 400,
    type: 'ValidationException',
    reason: 'UnknownOperation',
    message:
      'The operation requested is invalid. Please verify that the operation name is typed correctly.',
  });
}

/** Handles `POST /catalog/v1/<operation>` of the Creators API. */
export function handleCreators(
  state: EmulatorState,
  opName: string,
  method: string,
  headers: IncomingHttpHeaders,
  body: string,
): ApiOutcome {
  let credentialKey = '-';
  try {
    const op = OPERATIONS[opName];
    if (!op || method !== 'POST') throw unknownOperation();
    const cred = authenticateCreators(state, headers.authorization);
    credentialKey = cred.id;
    const market = marketOf(state, cred, headers['x-marketplace']);
    const { fault } = admit(state, cred, 'creators');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw cannotParse();
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw cannotParse();
    const json = parsed as Record<string, unknown>;
    const lenient = state.behaviour.lenientRequests;
    const issues = checkRequestModel(op, json, lenient);
    if (issues.length > 0) throw validationError(issues);
    // Lenient only: `marketplace` is on the docs' common page but in no SDK model (§7.6).
    if (json.marketplace !== undefined && json.marketplace !== market.info.domain)
      throw validationError([{ field: 'marketplace', kind: 'invalid', value: json.marketplace }]);
    const ctx = {
      market,
      partnerTag: cred.partnerTag,
      protocol: 'creators' as const,
      rng: state.rng,
      noise: state.catalog.noise?.unrelatedPerCodeSearch ?? 0,
      extraFields: state.behaviour.extraFields,
    };
    return {
      reply: jsonReply(200, runOperation(op, json, ctx)),
      credentialKey,
      kind: 'creators',
      fault,
    };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { reply: creatorsErrorReply(error), credentialKey, kind: 'creators', fault: 'none' };
  }
}
