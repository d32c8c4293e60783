import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** Deletes job log entries older than the retention; returns how many went. */
export async function pruneJobLogs(db: Kysely<DB>, retentionDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
  const result = await db
    .deleteFrom('code2asin_logs')
    .where('created_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
