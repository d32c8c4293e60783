import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { registerSecret, type Logger } from '../../logging/logger.js';
import { countTokens, createToken, findTokenByValue } from './token-repository.js';

/** Owner of the token made at first start. */
export const ADMIN_OWNER = 'admin';

/** What the start did about the admin token. */
export type AdminTokenOutcome = 'registered_from_env' | 'env_token_present' | 'generated' | 'none';

/**
 * Makes sure someone can call the API after a first start:
 * - with CODE2ASIN_ADMIN_TOKEN, that value is registered as an admin token (once);
 * - without it, when no token exists at all, an admin token is generated and handed to `print`
 *   (stdout): it is shown once, only its hash is stored.
 */
export async function ensureAdminToken(
  db: Kysely<DB>,
  options: {
    adminToken: string | undefined;
    logger: Logger;
    /** Gets the line to show and the token itself (the start-up block shows it once). */
    print: (line: string, token: string) => void;
  },
): Promise<AdminTokenOutcome> {
  const { adminToken, logger } = options;
  if (adminToken) {
    registerSecret(adminToken);
    const existing = await findTokenByValue(db, adminToken);
    if (existing?.revokedAt) {
      logger.warn(
        { token_id: existing.id },
        'CODE2ASIN_ADMIN_TOKEN was revoked and stays revoked: unset it or set a new value.',
      );
      return 'env_token_present';
    }
    if (existing) return 'env_token_present';
    const { record } = await createToken(db, {
      name: 'admin (CODE2ASIN_ADMIN_TOKEN)',
      owner: ADMIN_OWNER,
      scopes: ['admin'],
      token: adminToken,
    });
    logger.info({ token_id: record.id }, 'CODE2ASIN_ADMIN_TOKEN registered as an admin token');
    return 'registered_from_env';
  }
  if ((await countTokens(db)) > 0) return 'none';
  const { token, record } = await createToken(db, {
    name: 'admin (first start)',
    owner: ADMIN_OWNER,
    scopes: ['admin'],
  });
  registerSecret(token);
  options.print(
    `Admin API token (shown once, store it now; \`code2asin tokens\` manages tokens): ${token}`,
    token,
  );
  logger.info({ token_id: record.id }, 'no API token existed: generated an admin token');
  return 'generated';
}
