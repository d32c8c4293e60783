import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { buildXlsx } from '../files/helpers/build-xlsx.js';
import { forEachDatabase } from '../helpers/database.js';
import { mapError } from '../../src/http/error-mapping.js';
import { createIngestionPool, type IngestionPool } from '../../src/jobs/ingestion-pool.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, createByJson, SAMPLE_CODES, upload } from './jobs-helpers.js';

forEachDatabase('Code2ASIN ingestion threads', (ctx) => {
  let t: TestApp;
  let pool: IngestionPool;
  let token: string;
  const poolFor = (threads: number, queueLimit: number): IngestionPool =>
    createIngestionPool({
      threads,
      queueLimit,
      thread: {
        databaseUrl: ctx.url(),
        logLevel: 'warn',
        secrets: [],
        quotaTps: 1,
        webhookAllowPrivate: false,
      },
      logger: createCapturingLogger({ level: 'trace' }).logger,
    });
  before(async () => {
    pool = poolFor(1, 4);
    t = await createTestApp(ctx.database(), { ingestion: pool });
    token = await t.tokenFor('uploader', ['read', 'write']);
  });
  after(async () => {
    await t.close();
    await pool.close();
  });

  it('creates jobs from uploads and JSON codes on the thread, with the same answer as inline', async () => {
    const csv = `EAN;Name\n${SAMPLE_CODES.join(';x\n')};x\nnot-a-code;y\n`;
    const res = await upload(
      t,
      [['options', '{"auto_start":false}']],
      [{ name: 'codes.csv', content: csv }],
      token,
    );
    assert.equal(res.statusCode, 201, res.body);
    const { job } = res.json();
    assert.equal(job.status, 'pending');
    assert.equal(job.counters.total_rows, 5);
    assert.equal(job.preflight.valid, 4);
    assert.equal(job.preflight.invalid, 1);
    const json = await createByJson(
      t,
      { name: 'codes', codes: SAMPLE_CODES, marketplaces: ['fr'] },
      token,
    );
    assert.equal(json.statusCode, 201, json.body);
    assert.equal(json.json().status, 'processing');
    assert.equal(pool.threads, 1, 'both went through the one thread');
    const detail = await t.call({ method: 'GET', url: `${BASE}/jobs/${job.id}`, token });
    assert.equal(detail.json().preflight.to_query, 4);
  });

  it('answers a file error from the thread as it would inline (400 with its code and details)', async () => {
    const forged = buildXlsx({
      sheets: [
        {
          name: 'S',
          rows: '<row r="1"><c t="inlineStr"><is><t>EAN</t></is></c></row><row r="1"/>',
        },
      ],
    });
    const res = await upload(t, [], [{ name: 'forged.xlsx', content: forged }], token);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'unreadable');
    const wide = buildXlsx({
      sheets: [{ name: 'S', rows: `<row r="1">${'<c><v>1</v></c>'.repeat(5000)}</row>` }],
    });
    const limit = await upload(t, [], [{ name: 'wide.xlsx', content: wide }], token);
    assert.equal(limit.statusCode, 400, limit.body);
    assert.deepEqual(errorOf(limit).details, {
      limit: 1000,
      actual: 1001,
      option: 'maxColumns',
      row: 1,
      column: 1001,
    });
  });

  it('runs at most `threads` ingestions, queues `queueLimit` more and refuses the rest with 503 and Retry-After', async () => {
    const small = poolFor(1, 1);
    try {
      const input = (name: string) => ({
        owner: 'uploader',
        options: { name, marketplaces: ['fr'], auto_start: false },
        codes: SAMPLE_CODES,
      });
      // Submitted in one tick: one runs, one waits, the third finds the queue full.
      const first = small.createJob(input('first'));
      const second = small.createJob(input('second'));
      const third = small.createJob(input('third'));
      assert.equal(small.running + small.waiting, 2);
      const refused = await third.then(
        () => assert.fail('the third was accepted'),
        (error: unknown) => error,
      );
      const answer = mapError(refused);
      assert.equal(answer?.status, 503);
      assert.equal(answer?.code, 'ingestion_busy');
      assert.equal(answer?.headers['retry-after'], '10');
      assert.match(answer?.message ?? '', /CODE2ASIN_INGEST_QUEUE=1/);
      const ids = await Promise.all([first, second]);
      assert.equal(new Set(ids).size, 2);
      assert.equal(small.threads, 1);
    } finally {
      await small.close();
    }
  });

  it('answers the uploads it holds at once when it closes (503, send it again), the running one included', async () => {
    const closing = poolFor(1, 2);
    const input = (name: string) => ({
      owner: 'uploader',
      options: { name, marketplaces: ['fr'], auto_start: false },
      codes: SAMPLE_CODES,
    });
    // Submitted in one tick: the first is on the thread, the other two wait.
    const held = [input('a'), input('b'), input('c')].map((i) =>
      closing.createJob(i).then(
        () => null,
        (error: unknown) => error,
      ),
    );
    assert.deepEqual([closing.running, closing.waiting], [1, 2]);
    await closing.close();
    // The first may have finished before the close reached it; those still held were answered.
    const refused = (await Promise.all(held)).filter((e) => e !== null).map((e) => mapError(e));
    assert.ok(refused.length >= 2, `${refused.length} refused`);
    for (const a of refused) {
      assert.equal(a?.status, 503);
      assert.equal(a?.code, 'ingestion_busy');
      assert.match(a?.message ?? '', /server is stopping; this upload was not stored/);
    }
  });
});
