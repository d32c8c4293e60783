import type { Command } from 'commander';
import { quotaEntries, type QuotaEntry } from '../../amazon/quota-dashboard.js';
import { loadConfig } from '../../config/env.js';

/** `code2asin quota`: the quota dashboard of `GET /api/v1/amazon/quotas`, from DATABASE_URL. */
export function registerQuotaCommand(program: Command): void {
  program
    .command('quota')
    .description(
      'show each Amazon credential’s quota: allowed pace, requests (and Keepa tokens) used in the last minute / hour / today, what is left, 429s, next reset',
    )
    .option('--json', 'print the same JSON as GET /api/v1/amazon/quotas')
    .action(async (opts: { json?: boolean }) => {
      // Loaded on use: database drivers are the heaviest part of starting the command line.
      const { openDatabase } = await import('../../db/database.js');
      const { migrateToLatest } = await import('../../db/migrate.js');
      const { createDatabaseQuotaStore } = await import('../../db/quota-store.js');
      const database = openDatabase(loadConfig().databaseUrl);
      try {
        await migrateToLatest(database);
        const now = Date.now();
        const stored = await createDatabaseQuotaStore(database, { now: () => now }).read();
        const credentials = quotaEntries(stored, now);
        const out = opts.json
          ? JSON.stringify({ now: new Date(now).toISOString(), credentials }, null, 2)
          : formatQuotas(credentials);
        process.stdout.write(`${out}\n`);
      } finally {
        await database.close();
      }
    });
}

/** One block per credential, the figures of the API in words. */
export function formatQuotas(entries: QuotaEntry[]): string {
  if (entries.length === 0)
    return 'No Amazon request recorded in this database yet (DATABASE_URL); run a job first.';
  return entries
    .map((e) => {
      const w = (x: QuotaEntry['requests']) => `${x.last_minute} / ${x.last_hour} / ${x.today}`;
      const lines = [
        `${e.provider}  ${e.credential ?? '(unnamed)'}`,
        `  allowed        ${e.allowed.requests_per_second} req/s, ${e.allowed.requests_per_day} req/day${e.allowed.tokens_per_minute === null ? '' : `, ${e.allowed.tokens_per_minute} tokens/min`}`,
        `  requests       ${w(e.requests)}   (minute / hour / today)`,
        `  429s           ${w(e.throttled)}`,
        `  left today     ${e.remaining.requests_today} requests (reset ${e.next_reset.requests})`,
      ];
      if (e.remaining.tokens_left !== null)
        lines.push(
          `  tokens         ${w(e.tokens)} spent; ${e.remaining.tokens_left} left, next refill ${e.next_reset.tokens ?? '?'}`,
        );
      if (e.paused_until) lines.push(`  paused until   ${e.paused_until}`);
      return lines.join('\n');
    })
    .join('\n\n');
}
