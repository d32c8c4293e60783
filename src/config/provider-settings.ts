import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { nowIso } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import { registerSecret } from '../logging/logger.js';
import { decryptSecret, encryptSecret, SecretBoxError } from './secret-box.js';
import { SettingsError } from './settings-error.js';

/** Provider names the store knows; `serp_api` is the original system's name for `amazon`. */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  amazon: 'amazon',
  serp_api: 'amazon',
});

/** The keys that encrypt and decrypt stored secrets: the current one, and the previous during a rotation. */
export interface SecretKeys {
  current: Buffer;
  previous?: Buffer | undefined;
}

/** One stored setting, decrypted. */
export interface StoredSetting {
  value: string;
  secret: boolean;
  updatedAt: string;
}

/** `serp_api` → `amazon`; throws a SettingsError on an unknown name. */
export function canonicalProvider(name: string): string {
  const canonical = PROVIDER_ALIASES[name];
  if (!canonical) {
    const known = Object.keys(PROVIDER_ALIASES).join(', ');
    throw new SettingsError('unknown_provider', `Unknown provider "${name}": use one of ${known}.`);
  }
  return canonical;
}

function namesOf(canonical: string): string[] {
  return Object.entries(PROVIDER_ALIASES)
    .filter(([, c]) => c === canonical)
    .map(([alias]) => alias);
}

function keysOf(keys: SecretKeys): Buffer[] {
  return keys.previous ? [keys.current, keys.previous] : [keys.current];
}

/**
 * The stored settings of a provider (alias accepted), secrets decrypted and registered with the
 * logger so they are masked everywhere. Rows under the canonical name win over alias rows.
 */
export async function readProviderSettings(
  db: Kysely<DB>,
  provider: string,
  keys: SecretKeys,
): Promise<Map<string, StoredSetting>> {
  const canonical = canonicalProvider(provider);
  const rows = await db
    .selectFrom('provider_settings')
    .selectAll()
    .where('provider', 'in', namesOf(canonical))
    .execute();
  rows.sort((a, b) => Number(a.provider === canonical) - Number(b.provider === canonical));
  const out = new Map<string, StoredSetting>();
  for (const row of rows) {
    const secret = row.is_secret === 1;
    const value = secret ? decryptStored(row.value, keys, canonical, row.key) : row.value;
    if (secret) registerSecret(value);
    out.set(row.key, { value, secret, updatedAt: row.updated_at });
  }
  return out;
}

/**
 * A fingerprint of a provider's stored rows as stored (secrets still encrypted, each encryption
 * with a fresh nonce): it changes with every write or removal, so a process re-reads and decrypts
 * its settings only when they changed.
 */
export async function providerSettingsVersion(db: Kysely<DB>, provider: string): Promise<string> {
  const rows = await db
    .selectFrom('provider_settings')
    .select(['provider', 'key', 'value'])
    .where('provider', 'in', namesOf(canonicalProvider(provider)))
    .orderBy('provider')
    .orderBy('key')
    .execute();
  const hash = createHash('sha256');
  for (const r of rows) hash.update(JSON.stringify([r.provider, r.key, r.value]));
  return hash.digest('hex');
}

function decryptStored(stored: string, keys: SecretKeys, provider: string, key: string): string {
  try {
    return decryptSecret(stored, keysOf(keys), `${provider}:${key}`).plaintext;
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    throw new SettingsError(
      'secret_undecryptable',
      `The stored ${provider} setting "${key}" cannot be decrypted (${error.message}). Start with the CODE2ASIN_SECRET_KEY it was stored with (or set it as CODE2ASIN_PREVIOUS_SECRET_KEY to re-encrypt it), or store it again with PUT /api/v1/amazon/config.`,
      { provider, key },
    );
  }
}

/**
 * Applies a partial update in one transaction: a string stores the value (encrypted when the key
 * is secret), null removes the stored value (and the alias row of the same key).
 */
export async function writeProviderSettings(
  db: Kysely<DB>,
  provider: string,
  update: ReadonlyMap<string, string | null>,
  options: { keys: SecretKeys; isSecret: (key: string) => boolean },
): Promise<void> {
  const canonical = canonicalProvider(provider);
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    for (const [key, value] of update) {
      await trx
        .deleteFrom('provider_settings')
        .where('provider', 'in', namesOf(canonical))
        .where('key', '=', key)
        .execute();
      if (value === null) continue;
      const secret = options.isSecret(key);
      if (secret) registerSecret(value);
      await trx
        .insertInto('provider_settings')
        .values({
          provider: canonical,
          key,
          value: secret ? encryptSecret(value, options.keys.current, `${canonical}:${key}`) : value,
          is_secret: secret ? 1 : 0,
          updated_at: now,
        })
        .execute();
    }
  });
}

/**
 * Key rotation: re-encrypts with the current key every stored secret that only the previous key
 * opens. Returns how many values were re-encrypted. Values no key opens are left as they are (and
 * reported when read).
 */
export async function reencryptStoredSecrets(db: Kysely<DB>, keys: SecretKeys): Promise<number> {
  if (!keys.previous) return 0;
  const rows = await db
    .selectFrom('provider_settings')
    .selectAll()
    .where('is_secret', '=', 1)
    .execute();
  let count = 0;
  for (const row of rows) {
    const context = `${PROVIDER_ALIASES[row.provider] ?? row.provider}:${row.key}`;
    let opened: { plaintext: string; keyIndex: number };
    try {
      opened = decryptSecret(row.value, keysOf(keys), context);
    } catch {
      continue;
    }
    if (opened.keyIndex === 0) continue;
    await db
      .updateTable('provider_settings')
      .set({ value: encryptSecret(opened.plaintext, keys.current, context) })
      .where('provider', '=', row.provider)
      .where('key', '=', row.key)
      .where('value', '=', row.value)
      .execute();
    count += 1;
  }
  return count;
}
