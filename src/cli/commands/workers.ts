import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import type { LiveWorker } from '../../jobs/worker-presence.js';

/** `code2asin workers`: the live worker processes on DATABASE_URL, their units and rate shares. */
export function registerWorkersCommand(program: Command): void {
  program
    .command('workers')
    .description('list the live workers on DATABASE_URL: claimed units, share of each credential')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const { openDatabase } = await import('../../db/database.js');
      const { migrateToLatest } = await import('../../db/migrate.js');
      const { listLiveWorkers } = await import('../../jobs/worker-presence.js');
      const database = openDatabase(config.databaseUrl);
      try {
        await migrateToLatest(database);
        const workers = await listLiveWorkers(database);
        process.stdout.write(opts.json ? `${JSON.stringify(workers, null, 2)}\n` : table(workers));
      } finally {
        await database.close();
      }
    });
}

function table(workers: LiveWorker[]): string {
  if (workers.length === 0) return 'No live worker (none has sent a heartbeat lately).\n';
  const lines = workers.map((w) => {
    const shares =
      w.shares.length === 0
        ? 'no share (nothing waiting for a credential)'
        : w.shares
            .map((s) => `${s.key.slice(0, 18)}… ${(s.share * 100).toFixed(1)} % of ${s.members}`)
            .join(', ');
    return `${w.id}  pid ${w.pid}  claimed ${w.claimedUnits}  lanes ${w.concurrency}  seen ${w.heartbeatAgoMs} ms ago  ${shares}`;
  });
  return `${workers.length} live worker${workers.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`;
}
