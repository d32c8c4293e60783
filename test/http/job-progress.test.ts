import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { MAX_BUCKETS } from '../../src/http/jobs/progress-route.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, upload } from './jobs-helpers.js';

interface Progress {
  from: string;
  to: string;
  bucket_seconds: number;
  points: { at: string; found: number; to_review: number; not_found: number; error: number }[];
}

const CODES = ['3017620422003', '3070123456784', '3086123000018', '3760123450010', '4006381333931'];
const START = Date.parse('2026-12-05T06:00:00.000Z');
const iso = (seconds: number) => new Date(START + seconds * 1000).toISOString();

forEachDatabase('job progress over time (GET /jobs/{id}/progress)', (ctx) => {
  let t: TestApp;
  let alice: string;
  let jobId: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write', 'delete']);
    const res = await upload(
      t,
      [
        ['marketplaces', 'fr'],
        ['options', '{"auto_start": false}'],
      ],
      [{ name: 'codes.csv', content: `EAN\n${CODES.join('\n')}\n` }],
      alice,
    );
    assert.equal(res.statusCode, 201, res.body);
    jobId = (res.json() as { id: string }).id;
  });
  after(() => t.close());
  const progress = (token = alice) =>
    t.call({ method: 'GET', url: `${BASE}/jobs/${jobId}/progress`, token });

  it('counts resolved results per bucket by outcome, from the start to the end of the job', async () => {
    const db = ctx.database().db;
    // A 10-minute job: 600 s in 60 buckets of 10 s. Results written at known times.
    await db
      .updateTable('code2asin_jobs')
      .set({ status: 'completed', started_at: iso(0), completed_at: iso(600) })
      .where('id', '=', jobId)
      .execute();
    const units = await db
      .selectFrom('code2asin_results')
      .select(['id', 'code'])
      .where('job_id', '=', jobId)
      .orderBy('code')
      .execute();
    assert.equal(units.length, CODES.length);
    const written: [string, number][] = [
      ['found', 5],
      ['found', 7],
      ['not_found', 15],
      ['to_review', 599],
      ['pending', 300], // not resolved: not counted
    ];
    for (const [i, [status, at]] of written.entries()) {
      await db
        .updateTable('code2asin_results')
        .set({ status, updated_at: iso(at) })
        .where('id', '=', units[i]!.id)
        .execute();
    }
    const res = await progress();
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Progress;
    assert.equal(body.from, iso(0));
    assert.equal(body.to, iso(600));
    assert.equal(body.bucket_seconds, 10);
    assert.equal(body.points.length, MAX_BUCKETS);
    assert.equal(body.points[1]!.at, iso(10));
    const nonZero = body.points
      .map((p, i) => [i, p.found, p.to_review, p.not_found, p.error])
      .filter(([, ...n]) => n.some((x) => x! > 0));
    assert.deepEqual(nonZero, [
      [0, 2, 0, 0, 0],
      [1, 0, 0, 1, 0],
      [59, 0, 1, 0, 0],
    ]);
  });

  it('is the owner’s only: another owner gets 404', async () => {
    const bob = await t.tokenFor('bob', ['read']);
    const res = await progress(bob);
    assert.equal(res.statusCode, 404);
    assert.equal(errorOf(res).code, 'job_not_found');
  });
});
