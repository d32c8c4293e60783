import { classifyDatabaseFault } from '../../db/db-fault.js';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { fromJson, nowIso, toJson } from '../../db/dialect.js';
import type { ApiTokensTable, DB } from '../../db/schema.js';
import { HttpError } from '../http-error.js';

/** Permissions of a token: the original system's READ/WRITE/DELETE, plus `admin` (implies all). */
export const SCOPES = ['read', 'write', 'delete', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Prefix of every generated token, so leaked tokens are easy to recognise and scan for. */
export const TOKEN_PREFIX = 'c2a_';
/** `last_used_at` is written at most this often per token. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A stored token, without its hash. */
export interface ApiToken {
  id: string;
  name: string;
  owner: string;
  scopes: Scope[];
  /** The first characters of the token, to recognise it in a list. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a valid token grants, as put on `request.auth`. */
export interface VerifiedToken {
  tokenId: string;
  name: string;
  owner: string;
  scopes: Scope[];
}

/** A new random token: `c2a_` + 32 random bytes in base64url (256 bits). */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 (hex) of a token: enough for 256-bit random values, and a constant-cost lookup. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `read,write` → ['read', 'write']; a 400 HttpError naming the bad scope otherwise. */
export function parseScopes(text: string | readonly string[]): Scope[] {
  const list = (typeof text === 'string' ? text.split(',') : [...text])
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length > 0 || list.length === 0) {
    throw new HttpError(
      400,
      'invalid_scopes',
      `${bad.length > 0 ? `Unknown scope(s) ${bad.join(', ')}` : 'No scope given'}: use a comma-separated list of ${SCOPES.join(', ')}.`,
    );
  }
  return [...new Set(list)] as Scope[];
}

/**
 * Stores a new token and returns it in clear, once: only its hash is kept. `token` lets the
 * operator choose the value (CODE2ASIN_ADMIN_TOKEN); otherwise a random one is generated.
 */
export async function createToken(
  db: Kysely<DB>,
  input: { name: string; owner: string; scopes: readonly Scope[]; token?: string },
): Promise<{ token: string; record: ApiToken }> {
  const token = input.token ?? generateToken();
  const row: Selectable<ApiTokensTable> = {
    id: randomUUID(),
    name: input.name,
    owner: input.owner,
    scopes: toJson([...input.scopes]),
    token_hash: hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    created_at: nowIso(),
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_tokens').values(row).execute();
  return { token, record: toApiToken(row) };
}

/** Tokens, newest first; with `owner`, only that owner's. Revoked ones only on request. */
export async function listTokens(
  db: Kysely<DB>,
  options: { owner?: string | null; includeRevoked?: boolean } = {},
): Promise<ApiToken[]> {
  let query = db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc');
  if (options.owner) query = query.where('owner', '=', options.owner);
  if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
  return (await query.execute()).map(toApiToken);
}

/** Revokes a token (with `owner`, only one of that owner's). False when no such active token. */
export async function revokeToken(
  db: Kysely<DB>,
  id: string,
  options: { owner?: string | null } = {},
): Promise<boolean> {
  let query = db
    .updateTable('api_tokens')
    .set({ revoked_at: nowIso() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null);
  if (options.owner) query = query.where('owner', '=', options.owner);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The grant of an active token, or null. Updates `last_used_at` at most once a minute, so
 * verifying is a read on almost every request.
 */
export async function verifyToken(
  db: Kysely<DB>,
  token: string,
  now: number = Date.now(),
): Promise<VerifiedToken | null> {
  if (!token.trim()) return null;
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const last = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (now - last >= LAST_USED_RESOLUTION_MS) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', row.id)
      .execute()
      .catch((error: unknown) => {
        // Bookkeeping only: while the disk is full (or the database briefly refuses writes) the
        // request is still served; the time is written at a later request.
        if (!classifyDatabaseFault(error)) throw error;
      });
  }
  const record = toApiToken(row);
  return { tokenId: record.id, name: record.name, owner: record.owner, scopes: record.scopes };
}

/** The token stored under this value's hash, revoked or not. */
export async function findTokenByValue(db: Kysely<DB>, token: string): Promise<ApiToken | null> {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row ? toApiToken(row) : null;
}

/** How many tokens exist, revoked ones included (a first start has none). */
export async function countTokens(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    scopes: fromJson<Scope[]>(row.scopes) ?? [],
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
