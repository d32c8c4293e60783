import type { FastifyInstance } from 'fastify';
import { findMarketplace } from '../../amazon/marketplaces.js';
import { parseCode } from '../../codes/index.js';
import { nowIso } from '../../db/dialect.js';
import {
  deleteRule,
  listRules,
  upsertRule,
  type StoredMatchingRule,
} from '../../matching/index.js';
import { requireAuth } from '../auth/request-auth.js';
import { ERROR_REF, HttpError } from '../http-error.js';
import { TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';

const RULE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    gtin: { type: 'string' },
    asin: { type: 'string' },
    rule: { type: 'string', enum: ['always', 'never'] },
    marketplace: { type: 'string', description: 'A domain, or `*` for every marketplace.' },
    note: { type: ['string', 'null'] },
    created_at: { type: 'string' },
  },
  examples: [
    {
      id: 7,
      gtin: '03017620422003',
      asin: 'B0DEMO0002',
      rule: 'always',
      marketplace: 'www.amazon.fr',
      note: 'review decision',
      created_at: '2026-01-15T09:31:02.120Z',
    },
  ],
};
const RULE_PARAMS = {
  type: 'object',
  required: ['ruleId'],
  properties: { ruleId: { type: 'integer', minimum: 1, examples: [7] } },
};
const ERRORS = {
  400: { ...ERROR_REF, description: 'A field is invalid' },
  404: { ...ERROR_REF, description: 'No such rule (or not yours)' },
};

type RuleInput = {
  code: string;
  asin: string;
  rule: 'always' | 'never';
  marketplace?: string;
  note?: string | null;
};

function gtinOf(code: string): string {
  const parsed = parseCode(code);
  if (!parsed.valid) {
    throw new HttpError(400, 'invalid_code', `"${code}" is no valid barcode: ${parsed.message}`, {
      field: 'code',
    });
  }
  return parsed.gtin14;
}

function marketplaceOf(raw: string | undefined): string {
  if (raw === undefined || raw === '*') return '*';
  const m = findMarketplace(raw);
  if (!m) {
    throw new HttpError(
      400,
      'invalid_marketplace',
      `Unknown marketplace "${raw}": use www.amazon.fr, fr or *.`,
      {
        field: 'marketplace',
      },
    );
  }
  return m.domain;
}

/**
 * The caller's matching rules (`always` / `never` an ASIN for a code, per marketplace or `*`):
 * list and search, add, edit, delete. Rules belong to the token's owner; others' answer 404.
 */
export function registerRuleRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const { db } = deps.jobs.database;
  const ownRule = async (owner: string, id: number): Promise<StoredMatchingRule> => {
    const row = await db
      .selectFrom('matching_rules')
      .select('id')
      .where('owner', '=', owner)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw new HttpError(404, 'rule_not_found', `Rule ${id} does not exist (or is not yours).`, {
        rule_id: id,
      });
    const [rule] = (await listRules(db, owner, { limit: 1000 })).filter((r) => r.id === id);
    return rule!;
  };

  app.get<{
    Querystring: {
      code?: string;
      asin?: string;
      rule?: 'always' | 'never';
      page: number;
      per_page: number;
    };
  }>(
    '/rules',
    {
      schema: {
        tags: TAGS,
        summary: 'Your matching rules, newest first; search by code or ASIN',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            code: { type: 'string', maxLength: 40, description: 'A barcode (any form of it).' },
            asin: { type: 'string', maxLength: 20 },
            rule: { type: 'string', enum: ['always', 'never'] },
            page: { type: 'integer', minimum: 1, default: 1 },
            per_page: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: RULE },
              page: { type: 'integer' },
              per_page: { type: 'integer' },
            },
          },
          400: ERRORS[400],
        },
      },
    },
    async (request) => {
      const q = request.query;
      const items = await listRules(db, requireAuth(request).owner, {
        ...(q.code ? { gtin: gtinOf(q.code) } : {}),
        ...(q.asin ? { asin: q.asin.trim().toUpperCase() } : {}),
        ...(q.rule ? { rule: q.rule } : {}),
        limit: q.per_page,
        offset: (q.page - 1) * q.per_page,
      });
      return { items: items.map(view), page: q.page, per_page: q.per_page };
    },
  );

  app.post<{ Body: RuleInput }>(
    '/rules',
    {
      schema: {
        tags: TAGS,
        summary: 'Add a rule (the same code, ASIN and marketplace replaces the older one)',
        body: {
          type: 'object',
          required: ['code', 'asin', 'rule'],
          additionalProperties: false,
          properties: {
            code: { type: 'string', maxLength: 40 },
            asin: { type: 'string', maxLength: 20 },
            rule: { type: 'string', enum: ['always', 'never'] },
            marketplace: { type: 'string', maxLength: 40, default: '*' },
            note: { type: ['string', 'null'], maxLength: 500 },
          },
          examples: [
            { code: '3017620422003', asin: 'B0DEMO0002', rule: 'always', marketplace: 'fr' },
          ],
        },
        response: { 201: RULE, 400: ERRORS[400] },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const rule = await upsertRule(db, {
        owner: requireAuth(request).owner,
        gtin: gtinOf(b.code),
        asin: b.asin,
        rule: b.rule,
        marketplace: marketplaceOf(b.marketplace),
        note: b.note ?? null,
      });
      return reply.code(201).send(view(rule));
    },
  );

  app.patch<{
    Params: { ruleId: number };
    Body: { rule?: 'always' | 'never'; note?: string | null };
  }>(
    '/rules/:ruleId',
    {
      schema: {
        tags: TAGS,
        summary: 'Edit a rule: always ↔ never, or its note',
        params: RULE_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            rule: { type: 'string', enum: ['always', 'never'] },
            note: { type: ['string', 'null'], maxLength: 500 },
          },
        },
        response: { 200: RULE, ...ERRORS },
      },
    },
    async (request) => {
      const owner = requireAuth(request).owner;
      await ownRule(owner, request.params.ruleId);
      await db
        .updateTable('matching_rules')
        .set({ ...request.body, created_at: nowIso() })
        .where('owner', '=', owner)
        .where('id', '=', request.params.ruleId)
        .execute();
      return view(await ownRule(owner, request.params.ruleId));
    },
  );

  app.delete<{ Params: { ruleId: number } }>(
    '/rules/:ruleId',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a rule',
        params: RULE_PARAMS,
        response: { 204: { type: 'null', description: 'Deleted' }, 404: ERRORS[404] },
      },
    },
    async (request, reply) => {
      const deleted = await deleteRule(db, requireAuth(request).owner, {
        id: request.params.ruleId,
      });
      if (!deleted) {
        throw new HttpError(
          404,
          'rule_not_found',
          `Rule ${request.params.ruleId} does not exist (or is not yours).`,
          {
            rule_id: request.params.ruleId,
          },
        );
      }
      return reply.code(204).send();
    },
  );
}

function view(r: StoredMatchingRule) {
  return {
    id: r.id,
    gtin: r.gtin,
    asin: r.asin,
    rule: r.rule,
    marketplace: r.marketplace,
    note: r.note,
    created_at: String(r.created_at),
  };
}
