import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import type { Database } from '../../db/database.js';
import {
  createToken,
  listTokens,
  parseScopes,
  revokeToken,
  SCOPES,
  type ApiToken,
  type Scope,
} from '../../http/auth/token-repository.js';
import { ADMIN_OWNER } from '../../http/auth/bootstrap-admin-token.js';

/** Runs `fn` on the migrated database of DATABASE_URL, then closes it. */
async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  // Loaded on use: database drivers are the heaviest part of starting the command line.
  const { openDatabase } = await import('../../db/database.js');
  const { migrateToLatest } = await import('../../db/migrate.js');
  const database = openDatabase(loadConfig().databaseUrl);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

interface CreateFlags {
  name?: string;
  scopes: string;
  admin?: boolean;
  owner?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Name, owner and scopes of `tokens create`; flags are checked before the database is opened. */
function createRequest(opts: CreateFlags): { name: string; owner: string; scopes: Scope[] } {
  let scopes: Scope[];
  try {
    scopes = opts.admin ? ['admin'] : parseScopes(opts.scopes);
  } catch (error) {
    fail(`--scopes: ${(error as Error).message}`);
  }
  const owner = opts.owner?.trim() || (opts.admin ? ADMIN_OWNER : opts.name?.trim());
  if (!owner) fail('Give --name <name> (the owner defaults to it), --owner <owner> or --admin.');
  return { name: opts.name?.trim() || owner, owner, scopes };
}

/** Active tokens of an owner (the ones a new token of that owner shares jobs with). */
async function countOwnerTokens(d: Database, owner: string): Promise<number> {
  return (await listTokens(d.db, { owner, includeRevoked: false })).length;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** `code2asin tokens create|list|revoke`: the API's Bearer tokens. */
export function registerTokensCommand(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('manage the Bearer tokens of the HTTP API (create, list, revoke)');

  tokens
    .command('create')
    .description(
      'create a token and print it once (only its hash is stored); a token acts on its owner’s jobs',
    )
    .option(
      '--name <name>',
      'what the token is for, e.g. "ci" or "alice laptop" (default: the owner)',
    )
    .option('--scopes <list>', `comma-separated: ${SCOPES.join(', ')} (admin implies all)`, 'read')
    .option('--admin', 'an admin token (scope admin, owner "admin"): sees every owner’s jobs')
    .option(
      '--owner <owner>',
      'whose jobs the token sees and makes: an existing owner to share its jobs (default: the name)',
    )
    .option('--json', 'print {id, token, ...} as JSON')
    .option('--quiet', 'print the token alone (for TOKEN=$(…) in scripts)')
    .action(async (opts: CreateFlags) => {
      const { name, owner, scopes } = createRequest(opts);
      const { token, record, shared } = await withDatabase(async (d) => {
        const shared = await countOwnerTokens(d, owner);
        return { ...(await createToken(d.db, { name, owner, scopes })), shared };
      });
      if (opts.json || opts.quiet) {
        process.stdout.write(`${opts.json ? JSON.stringify({ ...record, token }) : token}\n`);
        return;
      }
      const sharing =
        shared > 0
          ? `It shares owner "${owner}"'s jobs with ${shared} other token(s).`
          : `Owner "${owner}" is new: its jobs are its own (another token made with --owner ${owner} shares them).`;
      process.stdout.write(
        `Token ${record.id} "${name}" for owner "${owner}" with scopes ${scopes.join(', ')}:\n${token}\nStore it now: it is not shown again. ${sharing}\n`,
      );
    });

  tokens
    .command('list')
    .description('list tokens (never their values)')
    .option('--owner <owner>', 'only the tokens of this owner')
    .option('--all', 'include revoked tokens')
    .option('--json', 'print JSON')
    .action(async (opts: { owner?: string; all?: boolean; json?: boolean }) => {
      const list = await withDatabase((d) =>
        listTokens(d.db, { owner: opts.owner, includeRevoked: opts.all === true }),
      );
      process.stdout.write(opts.json ? `${JSON.stringify(list)}\n` : formatTokens(list));
    });

  tokens
    .command('revoke')
    .description('revoke a token by id; it stops working at once')
    .argument('<id>', 'the token id, as `tokens list` shows it')
    .action(async (id: string) => {
      const revoked = await withDatabase((d) => revokeToken(d.db, id.trim()));
      if (!revoked) fail(`No active token ${id}: check the id with \`code2asin tokens list\`.`);
      process.stdout.write(`Token ${id} revoked.\n`);
    });
}

function formatTokens(list: ApiToken[]): string {
  if (list.length === 0) return 'No tokens. Create one with `code2asin tokens create`.\n';
  const rows = list.map((t) => [
    t.id,
    t.name,
    t.owner,
    t.scopes.join(','),
    `${t.prefix}…`,
    t.createdAt,
    t.lastUsedAt ?? 'never',
    t.revokedAt ? `revoked ${t.revokedAt}` : 'active',
  ]);
  const header = ['id', 'name', 'owner', 'scopes', 'token', 'created', 'last used', 'status'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return `${all
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
