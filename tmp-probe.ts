import { sql } from 'kysely';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './src/db/database.js';
import { migrateToLatest } from './src/db/migrate.js';
import { claimUnits } from './src/db/work-queue.js';
import { createJob } from './src/jobs/create-job.js';
import { createJobLogWriter } from './src/jobs/job-log.js';
import { storeBatch } from './src/jobs/store-outcome.js';
import { createLogger } from './src/logging/logger.js';
import { eans } from './bench/helpers/large-job.js';
const logger = createLogger({ level: 'error' });
const N = 2000;
async function run(drop: string[], patch?: (s: string) => string) {
  const db0 = openDatabase(`sqlite:${join(mkdtempSync(join(tmpdir(), 'c2a-probe-')), 'p.db')}`);
  await migrateToLatest(db0);
  if (patch) {
    const { rows } = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'trigger' and name like 'code2asin_count_results%'`.execute(db0.db);
    for (const r of rows) { await sql.raw(`drop trigger ${r.name}`).execute(db0.db); await sql.raw(patch(r.sql)).execute(db0.db); }
  }
  for (const t of drop) await sql.raw(`drop trigger ${t}`).execute(db0.db);
  const ctx = { database: db0, logger, createJobLog: createJobLogWriter(db0.db, logger), quotaTps: 1 };
  const job = await createJob(ctx, { owner: 'b', options: { name: 'x', marketplaces: ['fr'], auto_start: false }, codes: eans(N) });
  const t0 = performance.now();
  for (let done = 0; done < N; ) {
    const units = await claimUnits(db0, { jobId: job.id, workerId: 'w', limit: 50, leaseMs: 60000 });
    if (!units.length) break;
    await storeBatch(db0, 'w', units.map((unit) => ({ unit, result: { status: 'found', asin: 'B0EXACT001', proposed_asin: null, match_type: 'exact', confidence: 0.97, reasons: ['x'], candidates: [], product: { title: 'C', images: ['a'], price: 7 } as never, request_id: null } })), { maxAttempts: 1, backoffMs: () => 1000, processingMs: 1 });
    done += units.length;
  }
  const ms = performance.now() - t0;
  await db0.close();
  return ms;
}
const only = (body: string) => (x: string) => x.includes('after update') ? x.replace(/ when [\s\S]*$/, ` ${body}`) : x;
for (let k = 0; k < 2; k++) {
  console.log('all', (await run([])).toFixed(0));
  console.log('when 0', (await run([], only('when 0 begin select 1; end'))).toFixed(0));
  console.log('when 1 select', (await run([], only('when 1 begin select 1; end'))).toFixed(0));
  console.log('when 1 select new.has_images', (await run([], only('when 1 begin select new.has_images, old.has_images; end'))).toFixed(0));
  console.log('none', (await run(['code2asin_count_results_update'])).toFixed(0));
}
