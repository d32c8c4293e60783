import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { fromJson } from '../../db/dialect.js';
import type { DB } from '../../db/schema.js';
import type { Scope } from './token-repository.js';

/** Name of the session cookie the UI signs in with. */
export const SESSION_COOKIE = 'c2a_session';

/** How long a session lives: idle (renewed by use) and in all (from sign-in). */
export const SESSION_LIMITS = { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 } as const;
/** `last_seen_at` is written at most this often per session (a read on almost every request). */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** A live session: the grant of its token, which must still be active. */
export interface SessionGrant {
  tokenId: string;
  tokenName: string;
  owner: string;
  scopes: Scope[];
  expiresAt: string;
}

const hashId = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * Signs and reads the cookie value `<id>.<hmac>`: the id is 256 random bits, and the HMAC (key
 * derived from the secret key) rejects forged or altered cookies before any database read.
 */
export function createSessionCodec(secretKey: Buffer) {
  const key = createHmac('sha256', secretKey).update('code2asin web session').digest();
  const sign = (id: string) => createHmac('sha256', key).update(id).digest('base64url');
  return {
    encode: (id: string) => `${id}.${sign(id)}`,
    /** The session id of a well-signed cookie value, else null. */
    decode(value: string): string | null {
      const [id, mac, extra] = value.split('.');
      if (!id || !mac || extra !== undefined) return null;
      const expected = Buffer.from(sign(id));
      const given = Buffer.from(mac);
      return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
    },
  };
}

/** Opens a session for an active token; returns its id (for the cookie only) and expiry. */
export async function openSession(
  db: Kysely<DB>,
  tokenId: string,
  now = Date.now(),
): Promise<{ id: string; expiresAt: string }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + SESSION_LIMITS.absoluteMs).toISOString();
  const at = new Date(now).toISOString();
  await db
    .insertInto('web_sessions')
    .values({
      id_hash: hashId(id),
      token_id: tokenId,
      created_at: at,
      last_seen_at: at,
      expires_at: expiresAt,
    })
    .execute();
  // Expired sessions of any token are swept here: sign-ins are rare, the table stays small.
  await db.deleteFrom('web_sessions').where('expires_at', '<', at).execute();
  return { id, expiresAt };
}

/**
 * The grant of a session, or null when it is unknown, idle too long, past its absolute expiry,
 * or its token was revoked (joined on every call: revoking ends every session at once).
 */
export async function readSession(
  db: Kysely<DB>,
  id: string,
  now = Date.now(),
): Promise<SessionGrant | null> {
  const row = await db
    .selectFrom('web_sessions as s')
    .innerJoin('api_tokens as t', 't.id', 's.token_id')
    .select(['s.id_hash', 's.last_seen_at', 's.expires_at', 't.id as token_id'])
    .select(['t.name', 't.owner', 't.scopes', 't.revoked_at'])
    .where('s.id_hash', '=', hashId(id))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  const lastSeen = Date.parse(String(row.last_seen_at));
  const expires = Date.parse(String(row.expires_at));
  if (now >= expires || now - lastSeen >= SESSION_LIMITS.idleMs) {
    await closeSession(db, id);
    return null;
  }
  if (now - lastSeen >= LAST_SEEN_RESOLUTION_MS) {
    await db
      .updateTable('web_sessions')
      .set({ last_seen_at: new Date(now).toISOString() })
      .where('id_hash', '=', row.id_hash)
      .execute();
  }
  return {
    tokenId: row.token_id,
    tokenName: row.name,
    owner: row.owner,
    scopes: fromJson<Scope[]>(row.scopes) ?? [],
    expiresAt: new Date(expires).toISOString(),
  };
}

/** Ends a session (sign-out); nothing happens for an unknown one. */
export async function closeSession(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('id_hash', '=', hashId(id)).execute();
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
