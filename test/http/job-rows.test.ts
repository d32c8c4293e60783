import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, upload } from './jobs-helpers.js';

interface Row {
  row: number;
  raw_code: string | null;
  code: string | null;
  code_type: string | null;
  valid: boolean;
  reason: string | null;
  flags: string[];
  cells: (string | null)[];
}
type Rows = { items: Row[]; next_after: number | null };

/** A semicolon file with a lost leading zero, a bad check digit, a scientific number. */
const FILE = [
  'Désignation;EAN',
  'Pâte à tartiner;3017620422003',
  'Lost zero;12345678905',
  'Bad digit;3017620422004',
  'Excel;3.01762E+12',
  'Empty;',
].join('\n');

forEachDatabase('job input rows and errors (GET /jobs/{id}/rows, /errors)', (ctx) => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let jobId: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write', 'delete']);
    bob = await t.tokenFor('bob', ['read']);
    const res = await upload(
      t,
      [
        ['marketplaces', 'fr'],
        ['options', '{"auto_start": false}'],
      ],
      [{ name: 'fournisseur.csv', content: FILE }],
      alice,
    );
    assert.equal(res.statusCode, 201, res.body);
    jobId = (res.json() as { id: string }).id;
  });
  after(() => t.close());
  const rows = (query: string, token = alice) =>
    t.call({ method: 'GET', url: `${BASE}/jobs/${jobId}/rows${query}`, token });

  it('lists each row with what its code became, keyset paged, before the job starts', async () => {
    const first = (await rows('?limit=3')).json() as Rows;
    assert.deepEqual(
      first.items.map((r) => [r.row, r.raw_code, r.code, r.valid, r.reason]),
      [
        [2, '3017620422003', '3017620422003', true, null],
        [3, '12345678905', '0012345678905', true, null],
        [4, '3017620422004', null, false, 'bad_check_digit'],
      ],
    );
    assert.deepEqual(first.items[1]?.flags, ['repaired_leading_zeros']);
    assert.deepEqual(first.items[0]?.cells, ['Pâte à tartiner', '3017620422003']);
    assert.equal(first.next_after, 4);
    const rest = (await rows(`?after=${first.next_after}`)).json() as Rows;
    assert.deepEqual(
      rest.items.map((r) => [r.row, r.reason]),
      [
        [5, 'scientific_notation'],
        [6, 'empty'],
      ],
    );
    assert.equal(rest.next_after, null);
    const invalid = (await rows('?valid=false')).json() as Rows;
    assert.deepEqual(
      invalid.items.map((r) => r.row),
      [4, 5, 6],
    );
    const job = (
      await t.call({ method: 'GET', url: `${BASE}/jobs/${jobId}`, token: alice })
    ).json();
    assert.equal((job as { status: string }).status, 'pending');
  });

  it('counts the results in error by class, largest first, with an example message', async () => {
    const empty = await t.call({
      method: 'GET',
      url: `${BASE}/jobs/${jobId}/errors`,
      token: alice,
    });
    assert.deepEqual(empty.json(), { total: 0, by_class: [] });
    // What the worker stores when lookups fail for good (the route only reads them).
    const { db } = ctx.database();
    const units = await db
      .selectFrom('code2asin_results')
      .select('id')
      .where('job_id', '=', jobId)
      .orderBy('id')
      .execute();
    assert.equal(units.length, 2);
    const fail = (id: number, cls: string | null, message: string) =>
      db
        .updateTable('code2asin_results')
        .set({ status: 'error', error_class: cls, error_message: message })
        .where('id', '=', id)
        .execute();
    await fail(Number(units[0]!.id), 'network', 'connection reset');
    await fail(Number(units[1]!.id), null, 'odd');
    const res = await t.call({ method: 'GET', url: `${BASE}/jobs/${jobId}/errors`, token: alice });
    assert.deepEqual(res.json(), {
      total: 2,
      by_class: [
        { error_class: 'network', count: 1, example: 'connection reset' },
        { error_class: 'unknown', count: 1, example: 'odd' },
      ],
    });
    const other = await t.call({ method: 'GET', url: `${BASE}/jobs/${jobId}/errors`, token: bob });
    assert.equal(other.statusCode, 404);
  });

  it("names a bad parameter and hides another owner's job", async () => {
    const bad = await rows('?limit=0');
    assert.equal(bad.statusCode, 400);
    assert.match(errorOf(bad).message, /limit/);
    assert.equal((await rows('', bob)).statusCode, 404);
  });
});
