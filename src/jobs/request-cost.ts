import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Job } from './jobs-repository.js';
import type { LookupBatching } from './unit-lookup.js';

export interface RequestCost {
  requests: number | null;
  tps: number;
}

/**
 * The requests the pending units need: per marketplace and batch key, ⌈units / maxCodesPerCall⌉
 * (the worker batches units of one job, marketplace and key). The key is taken as a function of
 * the code type (true of the identifier-type keys providers use); without the provider's key
 * function (an ingestion thread), each code type counts as its own key, which can only
 * over-count. One code per request: no query, one request per unit.
 */
export async function requestCost(
  db: Kysely<DB>,
  job: Job,
  batching: LookupBatching | undefined,
  quotaTps: number,
): Promise<RequestCost> {
  const tps = batching?.requestsPerSecond ?? quotaTps;
  const max = Math.max(1, Math.floor(batching?.maxCodesPerCall ?? 1));
  if (max === 1 || job.options.use_amazon_api === false) return { requests: null, tps };
  const groups = await db
    .selectFrom('code2asin_results')
    .select([
      'marketplace',
      'code_type',
      sql<string>`min(code)`.as('sample'),
      sql<number>`count(*)`.as('n'),
    ])
    .where('job_id', '=', job.id)
    .where('status', '=', 'pending')
    .groupBy(['marketplace', 'code_type'])
    .execute();
  const perKey = new Map<string, number>();
  for (const g of groups) {
    const key = `${g.marketplace}\u0000${batching?.batchKeyOf?.(g.sample) ?? g.code_type}`;
    perKey.set(key, (perKey.get(key) ?? 0) + Number(g.n));
  }
  let requests = 0;
  for (const n of perKey.values()) requests += Math.ceil(n / max);
  return { requests, tps };
}
