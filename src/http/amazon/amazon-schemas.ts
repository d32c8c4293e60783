import {
  AMAZON_SETTING_FIELDS,
  type AmazonSettingField,
} from '../../config/amazon-setting-fields.js';
import { VARIABLES } from '../../config/env.js';
import { PROVIDER_NAMES } from '../../config/provider-names.js';
import { ERROR_REF } from '../http-error.js';

/** JSON-schema of the Amazon routes, shared by validation, serialisation and OpenAPI. */

const EXAMPLES: Record<string, unknown> = {
  enabled: true,
  provider: 'creators',
  marketplace: 'www.amazon.fr',
  associate_tag: 'mystore-21',
  creators_credential_id: 'amzn1.application-oa2-client.0123456789',
  creators_credential_secret: 'amzn1.oa2-cs.v1.0123456789abcdef',
  creators_credential_version: '3.2',
  creators_api_url: 'https://creatorsapi.amazon',
  creators_token_url: 'https://api.amazon.co.uk/auth/o2/token',
  paapi_access_key: 'AKIAIOSFODNN7EXAMPLE',
  paapi_secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  paapi_host: 'webservices.amazon.fr',
  paapi_region: 'eu-west-1',
  paapi_endpoint: 'http://127.0.0.1:8787',
  spapi_client_id: 'amzn1.application-oa2-client.0123456789abcdef',
  spapi_client_secret: 'amzn1.oa2-cs.v1.0123456789abcdef',
  spapi_refresh_token: 'Atzr|IwEBIEXAMPLE',
  spapi_endpoint: 'https://sellingpartnerapi-eu.amazon.com',
  spapi_token_url: 'https://api.amazon.com/auth/o2/token',
  keepa_key: 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01',
  keepa_api_url: 'https://api.keepa.com',
  tps: 1,
  burst: 1,
  tpd: 8640,
  timeout_ms: 10000,
};

function describe(f: AmazonSettingField): string {
  return `${VARIABLES[f.variable].expected} (overrides \`${f.variable}\`)${f.secret ? '; secret: stored encrypted, never shown (only whether it is set)' : ''}.`;
}

/** Body of `PUT /config` and `POST /test`: any subset of the settings; null removes a stored value. */
export const SETTINGS_UPDATE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    AMAZON_SETTING_FIELDS.map((f) => [
      f.key,
      { type: [f.type, 'null'], description: describe(f), examples: [EXAMPLES[f.key]] },
    ]),
  ),
  examples: [{ marketplace: 'www.amazon.de', associate_tag: 'mystore-21', tps: null }],
} as const;

const SETTING_SCHEMA = (f: AmazonSettingField) => ({
  type: 'object',
  required: f.secret ? ['value', 'set', 'source', 'secret'] : ['value', 'source', 'secret'],
  properties: {
    value: f.secret
      ? { type: 'null', description: 'Always null: nothing of a secret is shown.' }
      : { type: [f.type, 'null'], description: describe(f) },
    ...(f.secret
      ? { set: { type: 'boolean', description: 'Whether the secret has a value (from `source`).' } }
      : {}),
    source: { type: 'string', enum: ['default', 'env', 'stored'] },
    secret: { type: 'boolean' },
  },
});

/** Answer of `GET/PUT /config`. */
export const CONFIG_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'The effective settings',
  required: ['provider', 'marketplace', 'updated_at', 'settings'],
  properties: {
    provider: { type: 'string', enum: [...PROVIDER_NAMES] },
    marketplace: { type: 'string' },
    updated_at: { type: ['string', 'null'], description: 'Last change of a stored value.' },
    settings: {
      type: 'object',
      properties: Object.fromEntries(AMAZON_SETTING_FIELDS.map((f) => [f.key, SETTING_SCHEMA(f)])),
    },
  },
  examples: [
    {
      provider: 'creators',
      marketplace: 'www.amazon.fr',
      updated_at: '2026-06-01T10:00:00.000Z',
      settings: {
        marketplace: { value: 'www.amazon.fr', source: 'default', secret: false },
        associate_tag: { value: 'mystore-21', source: 'env', secret: false },
        creators_credential_secret: { value: null, set: true, source: 'stored', secret: true },
      },
    },
  ],
} as const;

/** Answer of `POST /test`. */
export const TEST_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'The outcome of the test (a failed test is still a 200)',
  required: ['ok', 'latency_ms', 'provider', 'marketplace'],
  properties: {
    ok: { type: 'boolean' },
    latency_ms: { type: 'integer' },
    provider: { type: 'string' },
    marketplace: { type: 'string' },
    problem: {
      type: 'object',
      description: 'Only when ok is false: what is wrong, in plain words.',
      properties: {
        code: { type: 'string' },
        reason: { type: ['string', 'null'] },
        message: { type: 'string' },
        token_endpoint: {
          type: 'object',
          description:
            'Only when the Creators token request failed: what the token endpoint answered (HTTP status, RFC 6749 error and error_description).',
          properties: {
            host: { type: 'string' },
            status: { type: 'integer' },
            error: { type: ['string', 'null'] },
            error_description: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
  examples: [
    { ok: true, latency_ms: 412, provider: 'creators', marketplace: 'www.amazon.fr' },
    {
      ok: false,
      latency_ms: 230,
      provider: 'creators',
      marketplace: 'www.amazon.fr',
      problem: {
        code: 'amazon_auth',
        reason: 'InvalidClient',
        message: 'Amazon refused the credentials. Check AMAZON_CREATORS_CREDENTIAL_ID…',
      },
    },
  ],
} as const;

const PRODUCT = {
  type: 'object',
  additionalProperties: true,
  description: 'The normalised product (asin, title, brand, price, images, external_ids…).',
} as const;

const CANDIDATE = {
  type: 'object',
  additionalProperties: true,
  properties: {
    asin: { type: 'string' },
    title: { type: ['string', 'null'] },
    brand: { type: ['string', 'null'] },
    parent_asin: { type: ['string', 'null'] },
    image: { type: ['string', 'null'], description: "The item's first image URL." },
    match_type: { type: 'string' },
    confidence: { type: 'number' },
    reasons: { type: 'array', items: { type: 'string' } },
    rejected: { type: 'boolean' },
    rank: { type: ['integer', 'null'] },
  },
} as const;

export const MARKETPLACE_QUERY = {
  type: 'string',
  description: 'Marketplace domain or country code; default: the configured marketplace.',
  examples: ['www.amazon.de'],
  maxLength: 40,
} as const;

export const SEARCH_QUERY_SCHEMA = {
  type: 'object',
  required: ['code'],
  additionalProperties: false,
  properties: {
    code: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'EAN-13/8, UPC-A/E, ISBN-10/13, GTIN-14 or JAN.',
      examples: ['3017620422003'],
    },
    marketplace: MARKETPLACE_QUERY,
  },
} as const;

export const SEARCH_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'The decision for the code (found: false when no item matches)',
  properties: {
    code: { type: 'string' },
    code_type: { type: 'string' },
    gtin14: { type: 'string' },
    marketplace: { type: 'string' },
    found: { type: 'boolean' },
    asin: { type: ['string', 'null'] },
    match_type: { type: 'string', enum: ['exact', 'partial', 'fuzzy', 'manual', 'none'] },
    confidence: { type: 'number' },
    band: { type: 'string' },
    reasons: { type: 'array', items: { type: 'string' } },
    product: { anyOf: [PRODUCT, { type: 'null' }] },
    candidates: { type: 'array', items: CANDIDATE },
    total_results: { type: ['integer', 'null'] },
    request_ids: { type: 'array', items: { type: 'string' } },
    input: { type: 'string', description: 'The code as typed.' },
    repairs: {
      type: 'array',
      items: { type: 'string' },
      description:
        'What was done to read it: repaired_leading_zeros, cleaned, case_pack, ambiguous_8_digit, numeric_cell.',
    },
    alternatives: {
      type: 'array',
      description: 'Other forms of the code searched or matched on (UPC-A, ISBN-10, unit GTIN).',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          type: { type: 'string' },
          relation: { type: 'string' },
        },
      },
    },
  },
  examples: [
    {
      input: '3017620422003',
      repairs: [],
      alternatives: [],
      code: '3017620422003',
      code_type: 'EAN-13',
      gtin14: '03017620422003',
      marketplace: 'www.amazon.fr',
      found: true,
      asin: 'B0DEMO0001',
      match_type: 'exact',
      confidence: 0.95,
      band: 'high',
      reasons: ['ean_listed'],
      product: { asin: 'B0DEMO0001', title: 'Nutella 400 g' },
      candidates: [],
      total_results: 1,
      request_ids: [],
    },
  ],
} as const;

export const ASIN_PARAMS_SCHEMA = {
  type: 'object',
  required: ['asin'],
  properties: { asin: { type: 'string', maxLength: 40, examples: ['B08N5WRWNW'] } },
} as const;

export const MARKETPLACE_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { marketplace: MARKETPLACE_QUERY },
} as const;

export const PRODUCT_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'The product',
  required: ['asin', 'marketplace', 'product'],
  properties: { asin: { type: 'string' }, marketplace: { type: 'string' }, product: PRODUCT },
  examples: [{ asin: 'B0DEMO0001', marketplace: 'www.amazon.fr', product: { asin: 'B0DEMO0001' } }],
} as const;

export const VALIDATE_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'Whether the ASIN is valid, and why',
  required: ['asin', 'marketplace', 'valid', 'reason'],
  properties: {
    asin: { type: 'string' },
    marketplace: { type: 'string' },
    valid: { type: 'boolean' },
    reason: { type: 'string' },
  },
  examples: [
    {
      asin: 'B0DEMO0001',
      marketplace: 'www.amazon.fr',
      valid: true,
      reason: 'B0DEMO0001 exists on www.amazon.fr.',
    },
  ],
} as const;

/** The error answers every Amazon route may give besides auth ones. */
export const AMAZON_ERRORS = {
  400: { ...ERROR_REF, description: 'Malformed input (the message says which field)' },
  404: { ...ERROR_REF, description: 'Not found' },
  502: { ...ERROR_REF, description: 'Amazon refused the credentials or failed' },
  503: { ...ERROR_REF, description: 'Amazon access is disabled or not configured' },
  504: { ...ERROR_REF, description: 'Amazon did not answer in time' },
} as const;
