import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { decodeKey } from './env.js';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key that encrypts stored secrets: CODE2ASIN_SECRET_KEY when set; otherwise the key file in
 * the data folder, generated on first start (mode 0600) with a log line saying where.
 */
export function resolveSecretKey(
  configured: Buffer | undefined,
  dataDir: string | undefined,
  logger: Logger,
): Buffer {
  if (configured) return configured;
  const dir = resolve(dataDir ?? './data');
  const file = join(dir, SECRET_KEY_FILE);
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8'));
    if (!key) {
      throw new Error(
        `${file} does not hold a 32-byte hex key; restore it from a backup or set CODE2ASIN_SECRET_KEY (stored secrets need the key they were encrypted with)`,
      );
    }
    return key;
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  logger.warn(
    { file },
    `CODE2ASIN_SECRET_KEY is not set: generated a new secret key in ${file} (mode 0600). Back it up, or set CODE2ASIN_SECRET_KEY.`,
  );
  return key;
}
