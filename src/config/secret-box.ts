import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Format version of an encrypted value: `v1:<iv>:<tag>:<ciphertext>`, each part base64. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Why a stored secret could not be read back. */
export type SecretBoxErrorCode = 'malformed' | 'undecryptable';

/** A value that is not in the `v1:` format, or that no given key authenticates. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Encrypts `plaintext` with AES-256-GCM under `key` (32 bytes) and a random 12-byte IV.
 * `context` (e.g. `amazon:creators_credential_secret`) is bound as additional authenticated data,
 * so a value copied under another key name fails to decrypt.
 */
export function encryptSecret(plaintext: string, key: Buffer, context: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext].map((p) => (typeof p === 'string' ? p : b64(p))).join(':');
}

/**
 * Decrypts a value made by `encryptSecret`, trying each key in order (the current key, then the
 * previous one during a rotation). Returns the plaintext and the index of the key that worked.
 * Throws a SecretBoxError when the format is wrong or no key authenticates the value (wrong key,
 * or the value was altered).
 */
export function decryptSecret(
  stored: string,
  keys: readonly Buffer[],
  context: string,
): { plaintext: string; keyIndex: number } {
  const parts = stored.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SecretBoxError('malformed', `not a ${VERSION}:<iv>:<tag>:<ciphertext> value`);
  }
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretBoxError('malformed', 'bad IV or authentication tag length');
  }
  for (const [keyIndex, key] of keys.entries()) {
    assertKey(key);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return { plaintext: plaintext.toString('utf8'), keyIndex };
    } catch {
      // Wrong key or altered value: GCM cannot tell which. Try the next key.
    }
  }
  throw new SecretBoxError(
    'undecryptable',
    'no configured key authenticates this value (another key, or the value was altered)',
  );
}

/** True when `stored` looks like a value made by `encryptSecret`. */
export function isEncryptedValue(stored: string): boolean {
  return /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/.test(stored);
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64');
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new RangeError(`the secret key must be 32 bytes, got ${key.length}`);
}
