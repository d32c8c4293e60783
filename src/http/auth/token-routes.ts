import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { ERROR_REF, HttpError } from '../http-error.js';
import { requireAuth } from './request-auth.js';
import { createToken, listTokens, revokeToken, SCOPES, type ApiToken } from './token-repository.js';

const TAGS = ['tokens'];
const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      examples: ['0b6f7c1e-3a52-4d7e-9a0c-2f1e8d4c6b5a'],
    },
  },
} as const;

const TOKEN_VIEW = {
  type: 'object',
  required: ['id', 'name', 'owner', 'scopes', 'prefix', 'created_at', 'last_used_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    owner: { type: 'string', description: 'Whose jobs and rules the token acts on.' },
    scopes: { type: 'array', items: { type: 'string', enum: [...SCOPES] } },
    prefix: { type: 'string', description: 'The first characters, to recognise the token.' },
    created_at: { type: 'string' },
    last_used_at: {
      type: ['string', 'null'],
      description: 'Last authenticated request (to the minute); null when never used.',
    },
  },
} as const;

const EXAMPLE = {
  id: '0b6f7c1e-3a52-4d7e-9a0c-2f1e8d4c6b5a',
  name: 'catalogue team',
  owner: 'catalogue',
  scopes: ['read', 'write'],
  prefix: 'c2a_Xb3k9Q',
  created_at: '2026-12-05T06:00:00.000Z',
  last_used_at: null,
};

const ERRORS = { 400: ERROR_REF, 401: ERROR_REF, 403: ERROR_REF };

function tokenView(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    owner: t.owner,
    scopes: t.scopes,
    prefix: t.prefix,
    created_at: t.createdAt,
    last_used_at: t.lastUsedAt,
  };
}

interface CreateBody {
  name: string;
  scopes: string[];
  owner?: string;
}

/**
 * Admin routes for API tokens (the UI's token screen; the CLI's `code2asin tokens`): list the
 * active tokens of every owner, create one (its value answered once, only its hash kept), revoke
 * one (its web sessions end with it).
 */
export function registerTokenRoutes(app: FastifyInstance, deps: { db: Kysely<DB> }): void {
  const admin = { scope: 'admin' as const };
  app.get(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        tags: TAGS,
        summary: 'Active API tokens, newest first (admin)',
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: TOKEN_VIEW } },
            examples: [{ items: [EXAMPLE] }],
          },
          ...ERRORS,
        },
      },
    },
    async () => ({ items: (await listTokens(deps.db)).map(tokenView) }),
  );

  app.post<{ Body: CreateBody }>(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        tags: TAGS,
        summary: 'Create an API token; its value is answered once, never again (admin)',
        body: {
          type: 'object',
          required: ['name', 'scopes'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', enum: [...SCOPES] },
              description: '`admin` implies every scope and every owner.',
            },
            owner: {
              type: 'string',
              minLength: 1,
              maxLength: 100,
              pattern: '^[A-Za-z0-9._@-]+$',
              description: 'Whose jobs the token acts on; default: the caller’s owner.',
            },
          },
          examples: [{ name: 'catalogue team', scopes: ['read', 'write'], owner: 'catalogue' }],
        },
        response: {
          201: {
            ...TOKEN_VIEW,
            required: [...TOKEN_VIEW.required, 'token'],
            properties: {
              ...TOKEN_VIEW.properties,
              token: { type: 'string', description: 'The token itself: shown this once.' },
            },
            examples: [{ ...EXAMPLE, token: 'c2a_Xb3k9Q…' }],
          },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim();
      if (!name) throw new HttpError(400, 'invalid_name', 'Give the token a name (`name`).');
      const owner = request.body.owner ?? requireAuth(request).owner;
      const scopes = [...new Set(request.body.scopes)] as ApiToken['scopes'];
      const { token, record } = await createToken(deps.db, { name, owner, scopes });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...tokenView(record), token });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: admin,
      schema: {
        tags: TAGS,
        summary: 'Revoke an API token: refused from now on, its web sessions ended (admin)',
        params: ID_PARAMS,
        response: {
          204: { type: 'null', description: 'Revoked', examples: [null] },
          404: ERROR_REF,
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      if (!(await revokeToken(deps.db, request.params.id))) {
        throw new HttpError(
          404,
          'token_not_found',
          `No active token with id ${request.params.id}: it may already be revoked; list them with GET /api/v1/tokens.`,
          { id: request.params.id },
        );
      }
      return reply.code(204).send();
    },
  );
}
