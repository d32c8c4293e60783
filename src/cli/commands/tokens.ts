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
} from '../../http/auth/token-repository.js';

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
    .description('create a token and print it once (only its hash is stored)')
    .requiredOption('--name <name>', 'what the token is for, e.g. "ci" or "alice laptop"')
    .option('--scopes <list>', `comma-separated: ${SCOPES.join(', ')} (admin implies all)`, 'read')
    .option('--owner <owner>', 'whose resources the token acts on (default: the name)')
    .option('--json', 'print {id, token, ...} as JSON')
    .action(async (opts: { name: string; scopes: string; owner?: string; json?: boolean }) => {
      let scopes;
      try {
        scopes = parseScopes(opts.scopes);
      } catch (error) {
        fail((error as Error).message);
      }
      const owner = opts.owner?.trim() || opts.name.trim();
      const { token, record } = await withDatabase((d) =>
        createToken(d.db, { name: opts.name.trim(), owner, scopes }),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...record, token })}\n`);
        return;
      }
      process.stdout.write(
        `Token ${record.id} for owner "${owner}" with scopes ${scopes.join(', ')}:\n${token}\nStore it now: it is not shown again.\n`,
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
