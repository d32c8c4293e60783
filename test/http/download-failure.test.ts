import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { toJson } from '../../src/db/dialect.js';
import { createDownloadStream } from '../../src/http/jobs/download-stream.js';
import { createJob } from '../../src/jobs/create-job.js';
import { writeJobResults } from '../../src/jobs/result-export.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';
import { createTestApp, type TestApp } from './http-helpers.js';
import { BASE, createByJson, SAMPLE_CODES } from './jobs-helpers.js';

forEachDatabase('a result file that fails half-way', (ctx) => {
  let t: TestApp;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write']);
  });
  after(() => t.close());

  it('cuts that download, logs why, and the server goes on serving', async () => {
    const created = await createByJson(
      t,
      { name: 'Broken product', codes: SAMPLE_CODES, marketplaces: 'fr', auto_start: false },
      alice,
    );
    const id = (created.json() as { id: string }).id;
    // A stored product the writers cannot turn into a cell (a price that is not a number): the
    // file fails after its headers went out, when nothing but cutting the stream is left.
    await ctx
      .database()
      .db.updateTable('code2asin_results')
      .set({
        status: 'found',
        asin: 'B0BROKEN01',
        product: toJson({ title: 'x', price: { amount: 1 }, images: [] }),
      })
      .where('job_id', '=', id)
      .execute();
    const res = await t
      .call({ method: 'GET', url: `${BASE}/jobs/${id}/download?format=csv`, token: alice })
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    // Refused (500) or cut: never a file that looks whole, and the process is still here.
    if (!(res instanceof Error)) {
      assert.ok(res.statusCode === 500 || !res.body.includes('B0BROKEN01'), res.body);
    }
    const next = await t.call({ method: 'GET', url: `${BASE}/jobs/${id}`, token: alice });
    assert.equal(next.statusCode, 200, 'the server still answers');
    assert.match(t.logs.text(), /result download failed/, 'the failure is logged');
  });

  it('stops reading the job when the client goes away', async () => {
    // 3,000 codes: three pages of the writer, the first alone far more than the stream between
    // the writer and an unread client holds, so the writer waits inside the first page.
    const codes = Array.from({ length: 3000 }, (_, i) => {
      const body = `402${String(i).padStart(9, '0')}`;
      const sum = [...body].reduce((a, d, k) => a + Number(d) * (k % 2 ? 3 : 1), 0);
      return `${body}${(10 - (sum % 10)) % 10}`;
    });
    const jobs = createTestJobsContext(ctx.database());
    const job = await createJob(jobs, {
      owner: 'alice',
      options: { name: 'Left early', marketplaces: ['fr'], auto_start: false },
      codes,
    });
    const { sink, source, gone } = createDownloadStream();
    const writing = writeJobResults(jobs, job.id, 'csv', sink, 'alice', 'auto', gone);
    await new Promise((resolve) => source.once('readable', resolve));
    assert.equal(gone.aborted, false);
    source.destroy(); // what Fastify does when the client goes away
    const { rows } = await writing;
    assert.equal(gone.aborted, true);
    assert.ok(rows < codes.length, `stopped after ${rows} of ${codes.length} rows`);
  });

  it('a whole file read to its end is not taken for a client that left', async () => {
    const { sink, source, gone } = createDownloadStream();
    sink.end('a,b\n');
    source.resume();
    await new Promise((resolve) => source.once('close', resolve));
    assert.equal(gone.aborted, false);
  });
});
