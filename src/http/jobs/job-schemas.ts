import { JOB_ACTIONS, JOB_STATUSES } from '../../jobs/job-status.js';
import { ERROR_REF } from '../http-error.js';

/** JSON schemas of the job routes: validation, serialisation and the OpenAPI document. */

export const TAGS = ['code2asin'];

const nullable = (type: string) => ({ type: [type, 'null'] });
const ISO = '2026-01-15T09:30:00.000Z';
const JOB_ID = '0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69';

const COUNTERS = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'total_rows',
      'valid_rows',
      'invalid_rows',
      'duplicate_rows',
      'cached',
      'to_query',
      'done',
      'found',
      'to_review',
      'not_found',
      'errors',
    ].map((k) => [k, { type: 'integer' }]),
  ),
};

const PROGRESS = {
  type: 'object',
  description:
    'Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle).',
  properties: {
    percent: { type: 'number' },
    done: { type: 'integer' },
    total: { type: 'integer' },
    rate_per_second: nullable('number'),
    eta_seconds: nullable('integer'),
  },
};

const JOB_PROPERTIES = {
  id: { type: 'string' },
  owner: { type: 'string' },
  name: { type: 'string' },
  supplier_code: nullable('string'),
  status: { type: 'string', enum: [...JOB_STATUSES] },
  marketplaces: { type: 'array', items: { type: 'string' } },
  options: { type: 'object', additionalProperties: true },
  source_file_name: nullable('string'),
  source_format: nullable('string'),
  preflight: {
    type: ['object', 'null'],
    additionalProperties: true,
    description: 'The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA.',
  },
  counters: COUNTERS,
  retry_count: { type: 'integer' },
  next_retry_at: nullable('string'),
  error_message: nullable('string'),
  provider: {
    type: ['object', 'null'],
    description:
      'The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import.',
    properties: { name: { type: 'string' }, source: { type: 'string' } },
  },
  created_at: { type: 'string' },
  updated_at: { type: 'string' },
  started_at: nullable('string'),
  completed_at: nullable('string'),
  allowed_actions: { type: 'array', items: { type: 'string', enum: [...JOB_ACTIONS] } },
  progress: PROGRESS,
};

const COUNTER_EXAMPLE = {
  total_rows: 1200,
  valid_rows: 1180,
  invalid_rows: 20,
  duplicate_rows: 30,
  cached: 150,
  to_query: 1000,
  done: 650,
  found: 560,
  to_review: 30,
  not_found: 55,
  errors: 5,
};

/** An example job, as the list and the detail show it. */
export const JOB_EXAMPLE = {
  id: JOB_ID,
  owner: 'alice',
  name: 'Mapping Janvier 2026',
  supplier_code: 'SUP-042',
  status: 'processing',
  marketplaces: ['www.amazon.fr'],
  options: { name: 'Mapping Janvier 2026', marketplaces: ['www.amazon.fr'], use_amazon_api: true },
  source_file_name: 'codes_ean.csv',
  source_format: 'csv',
  preflight: { rows: 1200, valid: 1180, invalid: 20, to_query: 1000, eta_seconds: 1000 },
  counters: COUNTER_EXAMPLE,
  retry_count: 0,
  next_retry_at: null,
  error_message: null,
  created_at: ISO,
  updated_at: ISO,
  started_at: ISO,
  completed_at: null,
  allowed_actions: ['pause', 'cancel'],
  progress: { percent: 56.5, done: 650, total: 1150, rate_per_second: 1, eta_seconds: 500 },
};

export const JOB_SCHEMA = { type: 'object', properties: JOB_PROPERTIES, examples: [JOB_EXAMPLE] };

const TILES = {
  type: 'object',
  description: "The job's tiles over its units (all marketplaces).",
  properties: {
    ...Object.fromEntries(
      [
        'total_codes',
        'with_asin',
        'with_images',
        'with_price',
        'exact_matches',
        'partial_matches',
        'fuzzy_matches',
        'manual_matches',
        'to_review',
        'not_found',
        'errors',
        'pending',
      ].map((k) => [k, { type: 'integer' }]),
    ),
    average_confidence: nullable('number'),
  },
};

export const JOB_DETAIL_SCHEMA = {
  type: 'object',
  properties: { ...JOB_PROPERTIES, statistics: TILES },
  examples: [
    {
      ...JOB_EXAMPLE,
      statistics: { total_codes: 1150, with_asin: 590, exact_matches: 540, pending: 500 },
    },
  ],
};

export const JOB_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100, examples: [JOB_ID] } },
};

export const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page: { type: 'integer', minimum: 1, default: 1 },
    per_page: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
    status: { type: 'string', enum: [...JOB_STATUSES] },
    sort: {
      type: 'string',
      enum: ['created_at', '-created_at', 'name', '-name', 'status', '-status'],
      default: '-created_at',
    },
    search: { type: 'string', maxLength: 200, description: 'In the name and the supplier code.' },
  },
};

export const LIST_RESPONSE = {
  type: 'object',
  properties: {
    items: { type: 'array', items: JOB_SCHEMA },
    total: { type: 'integer' },
    page: { type: 'integer' },
    per_page: { type: 'integer' },
  },
  examples: [{ items: [JOB_EXAMPLE], total: 1, page: 1, per_page: 20 }],
};

export const CREATE_RESPONSE = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    job_id: { type: 'string' },
    status: { type: 'string' },
    message: { type: 'string' },
    missing_settings: {
      type: 'array',
      description:
        'With status `waiting_for_amazon`: each Amazon setting still missing, by environment variable and by `PUT /api/v1/amazon/config` field.',
      items: {
        type: 'object',
        properties: {
          variable: { type: 'string' },
          field: { type: 'string' },
          problem: { type: 'string' },
        },
      },
    },
    job: JOB_SCHEMA,
  },
  examples: [
    {
      id: JOB_ID,
      job_id: JOB_ID,
      status: 'processing',
      message: 'Job created and started: 1000 code(s) to query, 150 already known (about 17 min).',
      job: JOB_EXAMPLE,
    },
  ],
};

export const RETRY_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reset_retry_counter: {
      type: 'boolean',
      default: false,
      description: 'Start counting retries again (after the maximum of 5).',
    },
  },
};

/** Errors of routes on one job: 404 (unknown or someone else's job). */
export const JOB_ERRORS = {
  400: { ...ERROR_REF, description: 'A parameter is invalid' },
  404: { ...ERROR_REF, description: 'No such job (or not yours)' },
};

export const ACTION_ERRORS = {
  ...JOB_ERRORS,
  409: {
    ...ERROR_REF,
    description: 'Not allowed in the job status; details.allowed lists what is',
  },
};
