import { DECIMAL_CHOICES } from '../../jobs/decimal-separator.js';
import { LOG_LEVELS } from '../../jobs/job-log.js';
import { RESULT_FORMATS } from '../../jobs/result-export.js';
import { ERROR_REF } from '../http-error.js';
import { JOB_PARAMS } from './job-schemas.js';

/** JSON schemas of the result, download and log routes. */

const nullable = (type: string) => ({ type: [type, 'null'] });
const PAGE = { type: 'integer', minimum: 1, default: 1 };

const CANDIDATE = {
  type: 'object',
  additionalProperties: true,
  properties: {
    asin: { type: 'string' },
    title: nullable('string'),
    brand: nullable('string'),
    image: {
      type: ['string', 'null'],
      description:
        'The first image URL the provider gave for this item (older results: absent). Browsers read it through `GET /jobs/{id}/results/{resultId}/images/{asin}`.',
    },
    match_type: { type: 'string' },
    confidence: { type: 'number' },
    reasons: { type: 'array', items: { type: 'string' } },
    rejected: { type: 'boolean' },
    rank: nullable('integer'),
  },
};

const RESULT_EXAMPLE = {
  id: 42,
  job_id: '0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69',
  marketplace: 'www.amazon.fr',
  code: '3017620422003',
  gtin: '03017620422003',
  code_type: 'EAN-13',
  context: { title: 'Nutella pâte à tartiner 400g', brand: 'Ferrero', quantity: 1 },
  status: 'found',
  source: 'api',
  asin: 'B0DEMO0001',
  proposed_asin: null,
  match_type: 'exact',
  confidence: 0.97,
  reasons: ['ean_listed', 'single_hit'],
  candidates: [
    {
      asin: 'B0DEMO0001',
      title: 'Nutella 400 g',
      match_type: 'exact',
      confidence: 0.97,
      rejected: false,
      rank: 1,
    },
  ],
  product: { asin: 'B0DEMO0001', title: 'Nutella 400 g', brand: 'Ferrero' },
  previous_asin: null,
  attempts: 1,
  error_class: null,
  error_message: null,
  updated_at: '2026-01-15T09:31:02.120Z',
};

export const RESULT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    job_id: { type: 'string' },
    marketplace: { type: 'string' },
    code: { type: 'string' },
    gtin: { type: 'string' },
    code_type: nullable('string'),
    context: {
      type: ['object', 'null'],
      additionalProperties: true,
      description:
        "The supplier's row as in the file: title, brand, quantity (when the file has them).",
    },
    status: {
      type: 'string',
      enum: ['pending', 'claimed', 'found', 'to_review', 'not_found', 'error'],
      description:
        '`to_review`: a person must decide; `asin` is null and `proposed_asin` holds the best candidate.',
    },
    source: nullable('string'),
    asin: {
      type: ['string', 'null'],
      description:
        'Only a match accepted automatically (above the threshold), by a rule or by a person.',
    },
    proposed_asin: {
      type: ['string', 'null'],
      description: 'The best candidate when the result waits for a person (`to_review`).',
    },
    match_type: nullable('string'),
    confidence: nullable('number'),
    reasons: { type: 'array', items: { type: 'string' } },
    candidates: { type: 'array', items: CANDIDATE },
    product: { type: ['object', 'null'], additionalProperties: true },
    previous_asin: nullable('string'),
    attempts: { type: 'integer' },
    error_class: nullable('string'),
    error_message: nullable('string'),
    provider: {
      type: ['string', 'null'],
      description: 'The provider that answered (`creators`, `spapi`, `keepa`…).',
    },
    provider_outcomes: {
      type: ['array', 'null'],
      description:
        'Jobs with `providers` or `enrich_with`: what each provider asked said, in order (`found`, `to_review`, `not_found`, `error`, `unusable`, `enriched`, `no_offer`).',
      items: {
        type: 'object',
        required: ['provider', 'outcome'],
        properties: {
          provider: { type: 'string' },
          outcome: { type: 'string' },
          asin: nullable('string'),
          error_class: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
    updated_at: { type: 'string' },
  },
  examples: [RESULT_EXAMPLE],
};

export const RESULTS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page: PAGE,
    per_page: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    after: {
      type: 'integer',
      minimum: 0,
      description:
        "Results after this result id, in id order: pass the previous page's `next_after` to walk a large job (each page costs the same; `page` is then not used).",
    },
    status: {
      type: 'string',
      enum: ['pending', 'claimed', 'found', 'to_review', 'not_found', 'error'],
      description:
        '`pending` includes the codes a worker is querying; `to_review` lists the proposals waiting for a person.',
    },
    match_type: { type: 'string', enum: ['exact', 'partial', 'fuzzy', 'manual', 'none'] },
    min_confidence: { type: 'number', minimum: 0, maximum: 1 },
    max_confidence: { type: 'number', minimum: 0, maximum: 1 },
    marketplace: { type: 'string', description: 'Domain or country code (www.amazon.fr, fr).' },
    search: { type: 'string', maxLength: 40, description: 'Part of the code, GTIN or ASIN.' },
    review: {
      type: 'boolean',
      description:
        'Only what needs a person: not yet decided by a person, and fuzzy or partial, confidence below 0.7, not found with candidates, or to review.',
    },
  },
};

export const RESULTS_RESPONSE = {
  type: 'object',
  properties: {
    items: { type: 'array', items: RESULT_SCHEMA },
    total: { type: 'integer' },
    page: { type: 'integer' },
    per_page: { type: 'integer' },
    next_after: {
      type: ['integer', 'null'],
      description: 'Give it as `after` for the next page; null on the last page.',
    },
  },
  examples: [{ items: [RESULT_EXAMPLE], total: 1, page: 1, per_page: 50, next_after: null }],
};

export const RESULT_PARAMS = {
  type: 'object',
  required: ['id', 'resultId'],
  properties: {
    ...JOB_PARAMS.properties,
    resultId: { type: 'integer', minimum: 1, examples: [42] },
  },
};

export const CHOICE_BODY = {
  type: 'object',
  required: ['asin'],
  additionalProperties: false,
  properties: {
    asin: {
      type: ['string', 'null'],
      maxLength: 20,
      description: 'The chosen ASIN (a candidate or any valid ASIN), or null for "no match".',
    },
    remember: {
      type: 'boolean',
      default: true,
      description:
        "Also store the choice as the owner's matching rule (`always` the ASIN, `never` the rejected one), applied to the same code in later jobs. On by default here (off on `POST /jobs/{id}/decisions`).",
    },
  },
  examples: [{ asin: 'B0DEMO0002' }, { asin: null }, { asin: 'B0DEMO0002', remember: false }],
};

export const CHOICE_RESPONSE = {
  type: 'object',
  properties: {
    batch_id: {
      type: 'string',
      description:
        'The decision in the job history: `POST /jobs/{id}/decisions/undo` takes it back',
    },
    result: RESULT_SCHEMA,
    rules: {
      type: 'array',
      description: 'The matching rules stored for the job owner by this choice.',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          gtin: { type: 'string' },
          asin: { type: 'string' },
          rule: { type: 'string', enum: ['always', 'never'] },
          marketplace: { type: 'string' },
        },
      },
    },
  },
  examples: [
    {
      batch_id: '6f1d2c4e-8a1b-4c5d-9e2f-0a1b2c3d4e5f',
      result: {
        ...RESULT_EXAMPLE,
        asin: 'B0DEMO0002',
        match_type: 'manual',
        confidence: 1,
        reasons: ['manual_choice'],
      },
      rules: [
        {
          id: 7,
          gtin: '03017620422003',
          asin: 'B0DEMO0002',
          rule: 'always',
          marketplace: 'www.amazon.fr',
        },
      ],
    },
  ],
};

export const DOWNLOAD_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: [...RESULT_FORMATS], default: 'csv' },
    decimal: {
      type: 'string',
      enum: [...DECIMAL_CHOICES],
      default: 'auto',
      description:
        'Decimal separator of the added numeric columns in CSV: `auto` follows the input (a file writing 4,29 gets 4,29), `comma` or `point` force one. XLSX and JSON Lines hold numbers as numbers.',
    },
  },
};

export const DOWNLOAD_RESPONSE = {
  type: 'string',
  description:
    'The result file, streamed: your rows in their order with status, ASIN, match type, confidence and product columns appended (per marketplace). Allowed while the job runs (pending codes say so).',
  examples: [
    'code,name,status,asin,match_type,confidence\n3017620422003,Nutella,found,B0DEMO0001,exact,0.97\n',
  ],
};

export const LOGS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page: PAGE,
    per_page: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    level: { type: 'string', enum: [...LOG_LEVELS], description: 'Only entries of this level.' },
    order: {
      type: 'string',
      enum: ['desc', 'asc'],
      default: 'desc',
      description: 'desc: newest first.',
    },
  },
};

export const LOGS_RESPONSE = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          level: { type: 'string' },
          message: { type: 'string' },
          details: { type: ['object', 'null'], additionalProperties: true },
          created_at: { type: 'string' },
        },
      },
    },
    total: { type: 'integer' },
    page: { type: 'integer' },
    per_page: { type: 'integer' },
  },
  examples: [
    {
      items: [
        {
          id: 3,
          level: 'INFO',
          message: 'Job started',
          details: { from: 'pending', to: 'processing' },
          created_at: '2026-01-15T09:30:00.000Z',
        },
      ],
      total: 1,
      page: 1,
      per_page: 50,
    },
  ],
};

export const RESULT_ERRORS = {
  400: { ...ERROR_REF, description: 'A parameter is invalid' },
  404: { ...ERROR_REF, description: 'No such job or result (or not yours)' },
};
