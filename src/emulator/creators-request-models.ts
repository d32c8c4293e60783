import type { ValidationIssue } from './api-error.js';
import type { OperationName } from './resources.js';

/**
 * The request bodies of the Creators API as the official Node.js SDK (v1.1.2) models them:
 * `GetItemsRequestContent`, `SearchItemsRequestContent`, `GetVariationsRequestContent`,
 * `GetBrowseNodesRequestContent`. Only these fields exist; the emulator refuses any other one
 * (Amazon's tolerance of unknown fields is not documented, reference §7.5–7.6), and the client's
 * conformance test checks every body it can build against the same lists.
 *
 * Limits (counts, lengths, ranges) are checked afterwards by `operation-params.ts`; this is the
 * shape: which fields, which JSON types, which enum values.
 */
export type FieldSpec =
  | { type: 'string'; enum?: readonly string[] }
  | { type: 'integer' }
  | { type: 'stringList'; enum?: readonly string[] }
  /** `properties`: an object of string values ("reserved" in the docs). */
  | { type: 'stringMap' };

/** `condition` of the SDK's `Condition` enum: only these two (PA-API also had Used, …). */
export const CONDITIONS = ['Any', 'New'] as const;
export const AVAILABILITIES = ['Available', 'IncludeOutOfStock'] as const;
export const DELIVERY_FLAGS = [
  'AmazonGlobal',
  'FreeShipping',
  'FulfilledByAmazon',
  'Prime',
] as const;
export const SORT_BY = [
  'AvgCustomerReviews',
  'Featured',
  'NewestArrivals',
  'Price:HighToLow',
  'Price:LowToHigh',
  'Relevance',
] as const;

const STRING: FieldSpec = { type: 'string' };
const INTEGER: FieldSpec = { type: 'integer' };
const STRINGS: FieldSpec = { type: 'stringList' };

/** Fields every item operation shares. */
const COMMON_ITEM_FIELDS: Record<string, FieldSpec> = {
  partnerTag: STRING,
  condition: { type: 'string', enum: CONDITIONS },
  currencyOfPreference: STRING,
  languagesOfPreference: STRINGS,
  properties: { type: 'stringMap' },
  resources: STRINGS,
};

/** Field → spec, per operation. A field not listed here is not part of the API. */
export const CREATORS_REQUEST_MODELS: Readonly<
  Record<OperationName, Readonly<Record<string, FieldSpec>>>
> = {
  getItems: { ...COMMON_ITEM_FIELDS, itemIds: STRINGS },
  searchItems: {
    ...COMMON_ITEM_FIELDS,
    actor: STRING,
    artist: STRING,
    author: STRING,
    availability: { type: 'string', enum: AVAILABILITIES },
    brand: STRING,
    browseNodeId: STRING,
    deliveryFlags: { type: 'stringList', enum: DELIVERY_FLAGS },
    itemCount: INTEGER,
    itemPage: INTEGER,
    keywords: STRING,
    maxPrice: INTEGER,
    minPrice: INTEGER,
    minReviewsRating: INTEGER,
    minSavingPercent: INTEGER,
    searchIndex: STRING,
    sortBy: { type: 'string', enum: SORT_BY },
    title: STRING,
  },
  getVariations: {
    ...COMMON_ITEM_FIELDS,
    asin: STRING,
    variationCount: INTEGER,
    variationPage: INTEGER,
  },
  getBrowseNodes: {
    browseNodeIds: STRINGS,
    languagesOfPreference: STRINGS,
    partnerTag: STRING,
    resources: STRINGS,
  },
};

/** The SDK model name of an operation's body, for messages. */
export function requestModelName(op: OperationName): string {
  return `${op.charAt(0).toUpperCase()}${op.slice(1)}RequestContent`;
}

function typeProblem(spec: FieldSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return 'a string';
      return spec.enum && !spec.enum.includes(value) ? `one of ${spec.enum.join(', ')}` : null;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? null : 'an integer';
    case 'stringList':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        return 'an array of strings';
      return spec.enum && !value.every((v: string) => spec.enum?.includes(v))
        ? `an array of ${spec.enum.join(', ')}`
        : null;
    case 'stringMap':
      return value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string')
        ? null
        : 'an object of strings';
  }
}

/**
 * Checks a Creators body against its SDK model: every field known, of the right JSON type, inside
 * its enum. With `allowUnknownFields` (the emulator's lenient mode) fields outside the model are
 * ignored instead of refused; types and enums are always checked (the model defines them).
 */
export function checkRequestModel(
  op: OperationName,
  body: Record<string, unknown>,
  allowUnknownFields = false,
): ValidationIssue[] {
  const model = CREATORS_REQUEST_MODELS[op];
  const issues: ValidationIssue[] = [];
  for (const [field, value] of Object.entries(body)) {
    const spec = model[field];
    if (!spec) {
      if (!allowUnknownFields)
        issues.push({ field, kind: 'unknown', detail: `not a field of ${requestModelName(op)}` });
      continue;
    }
    const problem = typeProblem(spec, value);
    if (problem) issues.push({ field, kind: 'invalid', value, detail: problem });
  }
  return issues;
}
