import type { FastifyInstance } from 'fastify';
import { quotaEntries, type QuotaEntry } from '../../amazon/quota-dashboard.js';
import { createDatabaseQuotaStore } from '../../db/quota-store.js';
import { ERROR_REF } from '../http-error.js';
import type { AmazonRouteDeps } from './config-routes.js';

const WINDOWS = {
  type: 'object',
  required: ['last_minute', 'last_hour', 'today'],
  properties: {
    last_minute: { type: 'integer', description: 'In the current minute.' },
    last_hour: { type: 'integer', description: 'In the last 60 minutes, this one included.' },
    today: { type: 'integer', description: 'Since 00:00 UTC.' },
  },
} as const;

/** Answer of `GET /quotas`. */
export const QUOTAS_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'Every credential used through this database, with its quota and its use',
  required: ['now', 'credentials'],
  properties: {
    now: { type: 'string' },
    credentials: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'provider',
          'credential',
          'key',
          'allowed',
          'requests',
          'tokens',
          'throttled',
          'remaining',
          'paused_until',
          'next_reset',
          'updated_at',
        ],
        properties: {
          provider: { type: 'string' },
          credential: {
            type: ['string', 'null'],
            description: 'Credential id or access key; a Keepa key only by its last 4 characters.',
          },
          key: { type: 'string', description: 'The shared limiter key (provider:sha256).' },
          allowed: {
            type: 'object',
            required: ['requests_per_second', 'requests_per_day', 'tokens_per_minute'],
            properties: {
              requests_per_second: { type: 'number' },
              requests_per_day: { type: 'integer' },
              tokens_per_minute: {
                type: ['number', 'null'],
                description: 'Keepa: the refill rate of the plan.',
              },
            },
          },
          requests: { ...WINDOWS, description: 'Requests sent.' },
          tokens: { ...WINDOWS, description: 'Tokens spent (Keepa).' },
          throttled: { ...WINDOWS, description: '429 answers.' },
          remaining: {
            type: 'object',
            required: ['requests_today', 'tokens_left'],
            properties: {
              requests_today: { type: 'integer' },
              tokens_left: {
                type: ['number', 'null'],
                description: 'Keepa: balance now (may be negative).',
              },
            },
          },
          paused_until: { type: ['string', 'null'] },
          next_reset: {
            type: 'object',
            required: ['requests', 'tokens'],
            properties: {
              requests: { type: 'string', description: 'Next 00:00 UTC.' },
              tokens: { type: ['string', 'null'], description: 'Keepa: next refill.' },
            },
          },
          updated_at: { type: 'string' },
        },
      },
    },
  },
  examples: [
    {
      now: '2026-12-05T03:00:00.000Z',
      credentials: [
        {
          provider: 'keepa',
          credential: '…x7Qa',
          key: 'keepa:5f2c…',
          allowed: { requests_per_second: 1, requests_per_day: 8640, tokens_per_minute: 20 },
          requests: { last_minute: 1, last_hour: 12, today: 40 },
          tokens: { last_minute: 100, last_hour: 1210, today: 3950 },
          throttled: { last_minute: 0, last_hour: 1, today: 1 },
          remaining: { requests_today: 8600, tokens_left: -80 },
          paused_until: null,
          next_reset: { requests: '2026-12-06T00:00:00.000Z', tokens: '2026-12-05T03:00:41.000Z' },
          updated_at: '2026-12-05T02:59:59.000Z',
        },
      ],
    },
  ],
} as const;

/** The dashboard's figures at `now`, this process's buffered figures written first. */
export async function readQuotas(
  deps: Pick<AmazonRouteDeps, 'db' | 'clients'>,
  now = Date.now(),
): Promise<{ now: string; credentials: QuotaEntry[] }> {
  await deps.clients.flushQuota();
  const stored = await createDatabaseQuotaStore({ db: deps.db }, { now: () => now }).read();
  return { now: new Date(now).toISOString(), credentials: quotaEntries(stored, now) };
}

/** `GET /quotas`: per credential and provider, what is allowed, used and left. */
export async function registerQuotaRoutes(
  app: FastifyInstance,
  deps: AmazonRouteDeps,
): Promise<void> {
  app.get(
    '/quotas',
    {
      schema: {
        tags: ['amazon'],
        summary: 'Quota dashboard: allowed pace, use and what is left, per credential',
        description:
          'Figures from every process using this database (written within a second). Keepa credentials show their token budget.',
        response: { 200: QUOTAS_RESPONSE_SCHEMA, 500: ERROR_REF },
      },
    },
    async () => readQuotas(deps, deps.now?.() ?? Date.now()),
  );
}
