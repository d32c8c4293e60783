import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, createByJson, jobId, SAMPLE_CODES } from './jobs-helpers.js';

forEachDatabase('Code2ASIN job routes', (ctx) => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write', 'delete']);
    bob = await t.tokenFor('bob', ['read', 'write', 'delete']);
  });
  after(() => t.close());

  it('POST /jobs (JSON) creates, reports pre-flight and starts the job, owned by the caller', async () => {
    const res = await createByJson(
      t,
      {
        name: 'Script job',
        supplier_code: 'SUP-1',
        codes: [...SAMPLE_CODES, SAMPLE_CODES[0], 'not a code', 3017620422003],
        marketplaces: 'fr,de',
      },
      alice,
    );
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.id, body.job_id);
    assert.equal(body.status, 'processing');
    assert.match(body.message, /started: 8 code\(s\) to query/);
    assert.equal(body.job.owner, 'alice');
    assert.deepEqual(body.job.marketplaces, ['www.amazon.fr', 'www.amazon.de']);
    assert.equal(body.job.preflight.rows, 7);
    assert.equal(body.job.preflight.invalid, 1);
    assert.equal(body.job.preflight.duplicates, 2);
    assert.deepEqual(body.job.progress, {
      percent: 0,
      done: 0,
      total: 8,
      rate_per_second: null,
      eta_seconds: null,
    });
    assert.deepEqual(body.job.allowed_actions, ['pause', 'cancel']);
  });

  it('POST /jobs (JSON) refuses bad input with 400 naming the field', async () => {
    const cases: [Record<string, unknown> | unknown[], string][] = [
      [{ name: 'x' }, 'codes'],
      [{ name: 'x', codes: [] }, 'codes'],
      [{ name: 'x', codes: [{}] }, 'codes.0'],
      [{ name: 'x', codes: ['3017620422003'], options: 'refresh' }, 'options'],
      [['3017620422003'], '(root)'],
    ];
    for (const [payload, field] of cases) {
      const res = await t.call({ method: 'POST', url: `${BASE}/jobs`, payload, token: alice });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(errorOf(res).code, 'validation_failed');
      assert.equal(errorOf(res).details.field, field);
    }
    const options = [
      [{ codes: ['3017620422003'] }, 'name'],
      [{ name: 'x', codes: ['3017620422003'], colour: 'red' }, '(options)'],
      [{ name: 'x', codes: ['3017620422003'], marketplaces: ['zz'] }, 'marketplaces'],
    ] as const;
    for (const [payload, field] of options) {
      const res = await createByJson(t, payload, alice);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(errorOf(res).code, 'invalid_options');
      const fields = errorOf(res).details.fields as { field: string; problem: string }[];
      assert.ok(
        fields.some((f) => f.field === field || f.problem.includes('colour')),
        JSON.stringify(fields),
      );
    }
    // A list without one valid code is still a job (its pre-flight report says why).
    const noValid = await createByJson(t, { name: 'x', codes: ['abc', '123'] }, alice);
    assert.equal(noValid.statusCode, 201);
    assert.equal(noValid.json().job.preflight.valid, 0);
    const text = await t.call({
      method: 'POST',
      url: `${BASE}/jobs`,
      token: alice,
      payload: 'codes',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.statusCode, 415);
    assert.equal(errorOf(text).code, 'unsupported_media_type');
    const bad = await t.call({
      method: 'POST',
      url: `${BASE}/jobs`,
      token: alice,
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).code, 'invalid_body');
  });

  it('POST /jobs refuses a webhook_url it would not deliver to: 400 saying why, nothing stored', async () => {
    const before = (await t.call({ method: 'GET', url: `${BASE}/jobs`, token: alice })).json();
    const cases = [
      ['file:///etc/passwd', /only http:\/\/ and https:\/\//],
      [
        'http://[::ffff:127.0.0.1]:9/hook',
        /::ffff:7f00:1 \(ipv4Mapped\(loopback\), which embeds 127\.0\.0\.1\)/,
      ],
      ['http://[::127.0.0.1]:9/hook', /embeds 127\.0\.0\.1/],
      ['http://198.18.0.1/hook', /198\.18\.0\.1 \(reserved\)/],
      ['http://224.0.0.1/hook', /224\.0\.0\.1 \(multicast\)/],
    ] as const;
    for (const [url, why] of cases) {
      const res = await createByJson(
        t,
        { name: 'Hook', codes: SAMPLE_CODES, options: { webhook_url: url } },
        alice,
      );
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(errorOf(res).code, 'invalid_options');
      assert.match(errorOf(res).message, why);
      const fields = errorOf(res).details.fields as { field: string }[];
      assert.deepEqual(
        fields.map((f) => f.field),
        ['webhook_url'],
      );
    }
    const after = (await t.call({ method: 'GET', url: `${BASE}/jobs`, token: alice })).json();
    assert.equal(after.total, before.total);
  });

  it('lifecycle actions follow the transitions; illegal ones answer 409 with the allowed actions', async () => {
    const id = await jobId(
      t,
      { name: 'Manual start', codes: SAMPLE_CODES, auto_start: false },
      alice,
    );
    const act = (action: string, query = '') =>
      t.call({ method: 'POST', url: `${BASE}/jobs/${id}/${action}${query}`, token: alice });
    assert.equal(
      (await t.call({ method: 'GET', url: `${BASE}/jobs/${id}`, token: alice })).json().status,
      'pending',
    );
    const resume = await act('resume');
    assert.equal(resume.statusCode, 409);
    assert.equal(errorOf(resume).code, 'illegal_transition');
    assert.deepEqual(errorOf(resume).details.allowed, ['start', 'cancel', 'delete']);
    assert.match(errorOf(resume).message, /Allowed now: start, cancel, delete/);
    assert.equal((await act('start')).json().status, 'processing');
    assert.equal((await act('start')).statusCode, 409);
    const del = await t.call({ method: 'DELETE', url: `${BASE}/jobs/${id}`, token: alice });
    assert.equal(del.statusCode, 409);
    assert.deepEqual(errorOf(del).details.allowed, ['pause', 'cancel']);
    const paused = await act('pause');
    assert.equal(paused.statusCode, 200);
    assert.equal(paused.json().status, 'paused');
    assert.deepEqual(paused.json().allowed_actions, ['resume', 'cancel', 'delete']);
    assert.equal((await act('resume')).json().status, 'processing');
    assert.equal((await act('cancel')).json().status, 'cancelled');
    for (let i = 1; i <= 5; i += 1) {
      const retried = await act('retry');
      assert.equal(retried.statusCode, 200, retried.body);
      assert.equal(retried.json().retry_count, i);
      await act('cancel');
    }
    const limit = await act('retry');
    assert.equal(limit.statusCode, 409);
    assert.equal(errorOf(limit).code, 'retry_limit_reached');
    const reset = await act('retry', '?reset_retry_counter=true');
    assert.equal(reset.statusCode, 200);
    assert.equal(reset.json().retry_count, 1);
    const badQuery = await act('retry', '?reset_retry_counter=maybe');
    assert.equal(badQuery.statusCode, 400);
    await act('cancel');
    const deleted = await t.call({ method: 'DELETE', url: `${BASE}/jobs/${id}`, token: alice });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    const gone = await t.call({ method: 'GET', url: `${BASE}/jobs/${id}`, token: alice });
    assert.equal(gone.statusCode, 404);
    assert.equal(errorOf(gone).code, 'job_not_found');
  });

  it('GET /jobs pages, filters by status, searches name and supplier code, sorts', async () => {
    const owner = await t.tokenFor('carol', ['read', 'write']);
    const names = ['Alpha janvier', 'Beta février', 'Gamma mars'];
    const ids: string[] = [];
    for (const [i, name] of names.entries()) {
      ids.push(
        await jobId(
          t,
          { name, supplier_code: `SUPP-${i}`, codes: SAMPLE_CODES, auto_start: i !== 1 },
          owner,
        ),
      );
    }
    const list = (query: string) =>
      t.call({ method: 'GET', url: `${BASE}/jobs${query}`, token: owner }).then((r) => {
        assert.equal(r.statusCode, 200, r.body);
        return r.json() as {
          items: { id: string; name: string; status: string }[];
          total: number;
          page: number;
          per_page: number;
        };
      });
    const all = await list('');
    assert.equal(all.total, 3);
    assert.deepEqual(
      all.items.map((j) => j.name),
      ['Gamma mars', 'Beta février', 'Alpha janvier'],
    );
    const page2 = await list('?per_page=2&page=2&sort=name');
    assert.deepEqual(
      page2.items.map((j) => j.name),
      ['Gamma mars'],
    );
    assert.equal(page2.page, 2);
    assert.equal(page2.per_page, 2);
    assert.deepEqual(
      (await list('?status=pending')).items.map((j) => j.name),
      ['Beta février'],
    );
    assert.deepEqual(
      (await list('?search=GAMMA')).items.map((j) => j.id),
      [ids[2]],
    );
    assert.deepEqual(
      (await list('?search=supp-1')).items.map((j) => j.id),
      [ids[1]],
    );
    const bad = await t.call({ method: 'GET', url: `${BASE}/jobs?status=done`, token: owner });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).details.field, 'status');
    const perPage = await t.call({
      method: 'GET',
      url: `${BASE}/jobs?per_page=1000`,
      token: owner,
    });
    assert.equal(perPage.statusCode, 400);
  });

  it('GET /jobs/{id} shows counters, pre-flight, progress, rate, ETA and statistics tiles', async () => {
    const id = await jobId(t, { name: 'Detail', codes: [...SAMPLE_CODES, 'x'] }, alice);
    const res = await t.call({ method: 'GET', url: `${BASE}/jobs/${id}`, token: alice });
    assert.equal(res.statusCode, 200);
    const job = res.json();
    assert.equal(job.counters.total_rows, 5);
    assert.equal(job.counters.invalid_rows, 1);
    assert.equal(job.preflight.to_query, 4);
    assert.equal(job.progress.total, 4);
    assert.equal(job.progress.rate_per_second, null);
    assert.equal(job.statistics.total_codes, 4);
    assert.equal(job.statistics.pending, 4);
    assert.equal(job.options.name, 'Detail');
  });

  it("isolates owners: another owner's job answers 404 on every route; admin sees all", async () => {
    const id = await jobId(t, { name: 'Private', codes: SAMPLE_CODES }, alice);
    const routes: [string, string, unknown?][] = [
      ['GET', `/jobs/${id}`],
      ['GET', `/jobs/${id}/results`],
      ['GET', `/jobs/${id}/download?format=csv`],
      ['GET', `/jobs/${id}/logs`],
      ['GET', `/jobs/${id}/events`],
      ['PATCH', `/jobs/${id}/results/1`, { asin: null }],
      ['POST', `/jobs/${id}/pause`],
      ['POST', `/jobs/${id}/cancel`],
      ['POST', `/jobs/${id}/retry`],
      ['DELETE', `/jobs/${id}`],
    ];
    for (const [method, url, payload] of routes) {
      const res = await t.call({
        method: method as 'GET',
        url: `${BASE}${url}`,
        token: bob,
        ...(payload ? { payload: payload as object } : {}),
      });
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      assert.equal(errorOf(res).code, 'job_not_found');
    }
    const bobList = await t.call({ method: 'GET', url: `${BASE}/jobs?per_page=200`, token: bob });
    assert.ok(!bobList.json().items.some((j: { id: string }) => j.id === id));
    const adminList = await t.call({ method: 'GET', url: `${BASE}/jobs?per_page=200` });
    const owners = new Set(adminList.json().items.map((j: { owner: string }) => j.owner));
    assert.ok(owners.has('alice') && owners.has('carol'), [...owners].join());
    const adminGet = await t.call({ method: 'GET', url: `${BASE}/jobs/${id}` });
    assert.equal(adminGet.json().owner, 'alice');
    const adminPause = await t.call({ method: 'POST', url: `${BASE}/jobs/${id}/pause` });
    assert.equal(adminPause.json().status, 'paused');
    const adminCreated = await createByJson(t, { name: 'Admin own', codes: SAMPLE_CODES });
    assert.equal(adminCreated.json().job.owner, 'admin');
  });

  it('checks scopes: read cannot create, write cannot delete, no token is 401', async () => {
    const reader = await t.tokenFor('alice', ['read']);
    const writer = await t.tokenFor('alice', ['read', 'write']);
    const id = await jobId(t, { name: 'Scopes', codes: SAMPLE_CODES, auto_start: false }, alice);
    const create = await createByJson(t, { name: 'x', codes: SAMPLE_CODES }, reader);
    assert.equal(create.statusCode, 403);
    assert.equal(errorOf(create).details.required_scope, 'write');
    const del = await t.call({ method: 'DELETE', url: `${BASE}/jobs/${id}`, token: writer });
    assert.equal(del.statusCode, 403);
    assert.equal(errorOf(del).details.required_scope, 'delete');
    assert.equal(
      (await t.call({ method: 'GET', url: `${BASE}/jobs/${id}`, token: reader })).statusCode,
      200,
    );
    const anonymous = await t.call({ method: 'GET', url: `${BASE}/jobs`, token: null });
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /Bearer/);
  });

  it("GET /statistics counts the owner's jobs (everyone's for admin); GET /stats/errors checks days", async () => {
    const dave = await t.tokenFor('dave', ['read', 'write']);
    await jobId(t, { name: 'D1', codes: [...SAMPLE_CODES, 'bad'] }, dave);
    await jobId(t, { name: 'D2', codes: SAMPLE_CODES.slice(0, 2), auto_start: false }, dave);
    const mine = await t.call({ method: 'GET', url: `${BASE}/statistics`, token: dave });
    assert.equal(mine.statusCode, 200);
    const s = mine.json();
    assert.equal(s.owner, 'dave');
    assert.equal(s.jobs.total, 2);
    assert.equal(s.jobs.by_status.processing, 1);
    assert.equal(s.jobs.by_status.pending, 1);
    assert.equal(s.codes.total, 7);
    assert.equal(s.codes.invalid, 1);
    assert.equal(s.average_confidence, null);
    const all = (await t.call({ method: 'GET', url: `${BASE}/statistics` })).json();
    assert.equal(all.owner, null);
    assert.ok(all.jobs.total > s.jobs.total);
    const errors = await t.call({
      method: 'GET',
      url: `${BASE}/stats/errors?days=30`,
      token: dave,
    });
    assert.equal(errors.statusCode, 200);
    assert.deepEqual(errors.json(), { days: 30, total: 0, by_class: {}, by_day: [] });
    const bad = await t.call({ method: 'GET', url: `${BASE}/stats/errors?days=0`, token: dave });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).details.field, 'days');
  });

  it('GET /jobs/{id}/logs filters by level, pages, newest first or in order', async () => {
    const id = await jobId(t, { name: 'Logs', codes: SAMPLE_CODES, auto_start: false }, alice);
    await t.call({ method: 'POST', url: `${BASE}/jobs/${id}/start`, token: alice });
    await t.call({ method: 'POST', url: `${BASE}/jobs/${id}/pause`, token: alice });
    const logs = (q: string) =>
      t.call({ method: 'GET', url: `${BASE}/jobs/${id}/logs${q}`, token: alice }).then((r) => {
        assert.equal(r.statusCode, 200, r.body);
        return r.json();
      });
    const newest = await logs('');
    assert.ok(newest.total >= 3, JSON.stringify(newest));
    assert.equal(newest.items[0].message, 'Job paused');
    assert.deepEqual(newest.items[0].details, { from: 'processing', to: 'paused' });
    const oldest = await logs('?order=asc&per_page=1');
    assert.equal(oldest.items[0].message, 'Job created');
    assert.equal(oldest.items.length, 1);
    assert.equal(oldest.total, newest.total);
    const errorsOnly = await logs('?level=ERROR');
    assert.equal(errorsOnly.total, 0);
    const info = await logs('?level=INFO&page=2&per_page=2');
    assert.equal(info.page, 2);
    const bad = await t.call({
      method: 'GET',
      url: `${BASE}/jobs/${id}/logs?level=LOUD`,
      token: alice,
    });
    assert.equal(bad.statusCode, 400);
  });
});
