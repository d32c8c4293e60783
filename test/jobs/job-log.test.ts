import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fromJson, nowIso } from '../../src/db/dialect.js';
import { createJobLogWriter } from '../../src/jobs/job-log.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { forEachDatabase } from '../helpers/database.js';

forEachDatabase('createJobLog', (ctx) => {
  const jobId = '0b5d6c1e-7d8a-4f5e-9c2b-3a4d5e6f7a8b';

  it('writes a log entry with level, message and details', async () => {
    const { db } = ctx.database();
    const now = nowIso();
    await db
      .insertInto('code2asin_jobs')
      .values({
        id: jobId,
        owner: 'o',
        name: 'n',
        supplier_code: null,
        status: 'pending',
        marketplaces: '[]',
        options: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const cap = createCapturingLogger();
    const createJobLog = createJobLogWriter(db, cap.logger);
    await createJobLog(jobId, 'INFO', 'Job created', { rows: 3, file: 'codes.csv' });
    await createJobLog(jobId, 'WARNING', 'No details');
    const rows = await db
      .selectFrom('code2asin_logs')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('id')
      .execute();
    assert.equal(rows.length, 2);
    assert.equal(rows[0]?.level, 'INFO');
    assert.deepEqual(fromJson(rows[0]?.details), { rows: 3, file: 'codes.csv' });
    assert.equal(rows[1]?.details, null);
    assert.equal(cap.lines.length, 0);
  });

  it('never throws when the write fails: the entry goes to the console logger', async () => {
    const cap = createCapturingLogger();
    // A job id that does not exist violates the foreign key: the insert fails for real.
    const createJobLog = createJobLogWriter(ctx.database().db, cap.logger);
    await assert.doesNotReject(
      createJobLog('ffffffff-ffff-4fff-8fff-ffffffffffff', 'ERROR', 'lost job', { code: 42 }),
    );
    assert.match(cap.text(), /job log write failed; entry kept here: lost job/);
    assert.match(cap.text(), /"level":"error"/);
  });

  it('never throws when the database is gone', async () => {
    const { openDatabase } = await import('../../src/db/database.js');
    const other = openDatabase(ctx.url());
    await other.close();
    const cap = createJobLogWriter(other.db, createCapturingLogger().logger);
    await assert.doesNotReject(cap(jobId, 'INFO', 'after close'));
  });
});
