import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJobLogWriter } from '../../src/jobs/job-log.js';
import { listRules } from '../../src/matching/matching-rules-repository.js';
import { forEachDatabase } from '../helpers/database.js';
import { runWorkerUntilSettled, startTestEmulator } from '../helpers/jobs.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, createByJson, upload } from './jobs-helpers.js';

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator();
});
after(() => emu.close());

interface Result {
  id: number;
  code: string;
  gtin: string;
  status: string;
  asin: string | null;
  match_type: string | null;
  confidence: number | null;
  reasons: string[];
  previous_asin: string | null;
  candidates: { asin: string }[];
}

/** Known codes of the generated catalog with their true ASIN (unambiguous cases only). */
function knownCodes(n: number): { code: string; asin: string }[] {
  return emu.catalog
    .truth!.filter((t) => t.asin !== null && t.case === 'exact_unique')
    .slice(0, n)
    .map((t) => ({ code: t.code, asin: t.asin as string }));
}

forEachDatabase('Code2ASIN full flow against the emulator', (ctx) => {
  let t: TestApp;
  let alice: string;
  let jobs: JobsContext;
  const bodies: string[] = [];
  before(async () => {
    t = await createTestApp(ctx.database(), { env: { ...emu.env('creators') } });
    alice = await t.tokenFor('alice', ['read', 'write', 'delete']);
    const db = ctx.database();
    jobs = {
      database: db,
      logger: t.logs.logger,
      createJobLog: createJobLogWriter(db.db, t.logs.logger),
      quotaTps: 50,
    };
  });
  after(async () => {
    const secrets = [emu.env('creators').AMAZON_CREATORS_CREDENTIAL_SECRET ?? '', t.admin, alice];
    const all = [...bodies, t.logs.text()].join('\n');
    for (const s of secrets)
      assert.ok(s.length > 8 && !all.includes(s), `a secret leaked: ${s.slice(0, 6)}…`);
    await t.close();
  });
  const call = async (method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) => {
    const res = await t.call({
      method,
      url: `${BASE}${url}`,
      token: alice,
      ...(payload ? { payload } : {}),
    });
    bodies.push(JSON.stringify(res.headers), res.body);
    return res;
  };
  const results = async (jobId: string, query = '') => {
    const res = await call('GET', `/jobs/${jobId}/results${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { items: Result[]; total: number };
  };

  it('upload → worker → results → manual choices → download → logs', async () => {
    const known = knownCodes(10);
    const unknown = ['4006381333931', '5901234123457'];
    const csv = [
      'EAN;Désignation',
      ...known.map((k, i) => `${k.code};Produit ${i}`),
      ...unknown.map((c) => `${c};Inconnu`),
      'ABC;Invalide',
    ].join('\n');
    const created = await upload(
      t,
      [
        ['name', 'Flow'],
        ['marketplaces', 'fr'],
      ],
      [{ name: 'flow.csv', content: csv }],
      alice,
    );
    bodies.push(created.body);
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;

    // Allowed while running: codes not done yet say `pending`.
    const early = await call('GET', `/jobs/${id}/download?format=jsonl`);
    assert.equal(early.statusCode, 200);
    assert.ok(
      early.body
        .split('\n')
        .filter(Boolean)
        .some((l) => JSON.parse(l).status === 'pending'),
    );

    const settled = await runWorkerUntilSettled(jobs, emu, [id]);
    assert.equal(settled.jobs[0]?.status, 'completed');
    const detail = (await call('GET', `/jobs/${id}`)).json();
    assert.equal(detail.status, 'completed');
    assert.equal(detail.progress.percent, 100);
    assert.equal(detail.progress.total, 12);
    assert.equal(detail.statistics.total_codes, 12);
    assert.equal(
      detail.counters.found +
        detail.counters.to_review +
        detail.counters.not_found +
        detail.counters.errors,
      12,
    );
    // The Désignation column is the row's title: "Produit 3" is a unit title, so a known code
    // listed as a "lot de 6" is proposed (pack_mismatch), not accepted.
    assert.ok(
      detail.counters.found + detail.counters.to_review >= 10,
      JSON.stringify(detail.counters),
    );
    const proposals = await results(id, '?status=to_review');
    assert.equal(proposals.total, detail.counters.to_review);
    assert.ok(
      proposals.items.every(
        (r) => r.asin === null && r.reasons.some((x) => x.startsWith('pack_mismatch')),
      ),
    );

    // Filters.
    assert.equal((await results(id)).total, 12);
    const found = await results(id, '?status=found&per_page=100');
    assert.equal(found.total, detail.counters.found);
    assert.ok(found.items.every((r) => r.status === 'found' && r.asin));
    const notFound = await results(id, '?status=not_found');
    assert.deepEqual(notFound.items.map((r) => r.code).sort(), unknown.sort());
    const exact = await results(id, '?match_type=exact&min_confidence=0.5&max_confidence=1');
    assert.ok(
      exact.total > 0 &&
        exact.items.every((r) => r.match_type === 'exact' && (r.confidence ?? 0) >= 0.5),
    );
    const high = await results(id, '?min_confidence=0.99&per_page=100');
    assert.ok(high.items.every((r) => (r.confidence ?? 0) >= 0.99));
    assert.ok(high.total < found.total + 2);
    assert.equal((await results(id, '?marketplace=fr')).total, 12);
    assert.equal((await results(id, '?marketplace=de')).total, 0);
    const first = known[0]!;
    const byCode = await results(id, `?search=${first.code.slice(2, 9)}`);
    assert.ok(byCode.items.some((r) => r.code === first.code));
    const byAsin = await results(id, `?search=${first.asin.toLowerCase()}`);
    assert.deepEqual(
      byAsin.items.map((r) => r.asin),
      [first.asin],
    );
    const paged = await results(id, '?per_page=5&page=3');
    assert.equal(paged.items.length, 2);
    // Keyset pages: the same results, in id order, as offset pages; `next_after` null at the end.
    const all = await results(id, '?per_page=100');
    const walked: number[] = [];
    let cursor: number | null = 0;
    while (cursor !== null) {
      const pageByKey = (await results(id, `?per_page=5&after=${cursor}`)) as {
        items: Result[];
        total: number;
        next_after: number | null;
      };
      assert.equal(pageByKey.total, 12);
      walked.push(...pageByKey.items.map((r) => r.id));
      cursor = pageByKey.next_after;
    }
    assert.deepEqual(
      walked,
      all.items.map((r) => r.id),
    );
    assert.deepEqual(
      walked,
      [...walked].sort((a, b) => a - b),
    );
    const foundByKey = await results(id, `?status=found&per_page=100&after=${walked[5]}`);
    assert.deepEqual(
      foundByKey.items.map((r) => r.id),
      found.items.map((r) => r.id).filter((r) => r > walked[5]!),
    );
    assert.equal(foundByKey.total, found.total, 'filtered totals are counted');
    for (const q of [
      '?min_confidence=0.9&max_confidence=0.1',
      '?min_confidence=1.5',
      '?marketplace=zz',
      '?status=done',
      '?per_page=0',
    ]) {
      const bad = await call('GET', `/jobs/${id}/results${q}`);
      assert.equal(bad.statusCode, 400, q);
    }

    // Manual choice of another ASIN: found stays found, an `always` rule, the cache untouched.
    const target = found.items.find((r) => r.code === first.code)!;
    const cacheBefore = await cacheRow(target.gtin);
    const chosen = await call('PATCH', `/jobs/${id}/results/${target.id}`, { asin: 'b0manual01' });
    assert.equal(chosen.statusCode, 200, chosen.body);
    const choice = chosen.json() as { result: Result; rules: { rule: string; asin: string }[] };
    assert.equal(choice.result.asin, 'B0MANUAL01');
    assert.equal(choice.result.match_type, 'manual');
    assert.equal(choice.result.confidence, 1);
    assert.deepEqual(choice.result.reasons, ['manual_choice']);
    assert.equal(choice.result.previous_asin, first.asin);
    assert.deepEqual(
      choice.rules.map((r) => [r.rule, r.asin]),
      [['always', 'B0MANUAL01']],
    );
    assert.deepEqual(await cacheRow(target.gtin), cacheBefore);

    // No match for another found result: not_found, counters move, a `never` rule.
    const other = found.items.find((r) => r.code === known[1]!.code)!;
    const none = await call('PATCH', `/jobs/${id}/results/${other.id}`, { asin: null });
    assert.equal(none.statusCode, 200, none.body);
    assert.equal(none.json().result.status, 'not_found');
    assert.deepEqual(
      none.json().rules.map((r: { rule: string; asin: string }) => [r.rule, r.asin]),
      [['never', other.asin]],
    );
    // A candidate for a code Amazon did not find: not_found → found.
    const missing = notFound.items[0]!;
    const revived = await call('PATCH', `/jobs/${id}/results/${missing.id}`, { asin: first.asin });
    assert.equal(revived.json().result.status, 'found');
    const after = (await call('GET', `/jobs/${id}`)).json();
    assert.equal(after.counters.found, detail.counters.found);
    assert.equal(after.counters.not_found, detail.counters.not_found);
    assert.equal(after.counters.done, detail.counters.done);
    assert.equal(after.statistics.manual_matches, 3);
    const rules = await listRules(ctx.database().db, 'alice');
    assert.deepEqual(
      rules.map((r) => `${r.rule} ${r.gtin} ${r.asin} ${r.marketplace}`).sort(),
      [
        `always ${target.gtin} B0MANUAL01 www.amazon.fr`,
        `always ${missing.gtin} ${first.asin} www.amazon.fr`,
        `never ${other.gtin} ${other.asin} www.amazon.fr`,
      ].sort(),
    );
    const manual = await results(id, '?match_type=manual');
    assert.equal(manual.total, 3);

    // Bad choices.
    const badAsin = await call('PATCH', `/jobs/${id}/results/${target.id}`, { asin: 'NOTANASIN' });
    assert.equal(badAsin.statusCode, 400);
    assert.equal(errorOf(badAsin).code, 'invalid_asin');
    const extra = await call('PATCH', `/jobs/${id}/results/${target.id}`, {
      asin: null,
      note: 'x',
    });
    assert.equal(extra.statusCode, 400);
    assert.equal(errorOf(extra).details.field, 'note');
    const noBody = await call('PATCH', `/jobs/${id}/results/${target.id}`, {});
    assert.equal(errorOf(noBody).details.field, 'asin');
    const unknownResult = await call('PATCH', `/jobs/${id}/results/999999`, { asin: null });
    assert.equal(unknownResult.statusCode, 404);
    assert.equal(errorOf(unknownResult).code, 'result_not_found');

    // The next job of the owner applies the rules before any request.
    const again = await createByJson(
      t,
      { name: 'Again', codes: [first.code], marketplaces: ['fr'] },
      alice,
    );
    assert.equal(again.json().job.preflight.by_rule, 1, again.body);

    // Downloads, streamed, parsed back.
    const csvRes = await call('GET', `/jobs/${id}/download?format=csv`);
    assert.equal(csvRes.statusCode, 200);
    assert.equal(csvRes.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      String(csvRes.headers['content-disposition']),
      /^attachment; filename="flow-results\.csv"; filename\*=UTF-8''flow-results\.csv$/,
    );
    const lines = csvRes.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    assert.equal(lines.length, 14);
    const header = lines[0]!.split(';');
    assert.deepEqual(header.slice(0, 6), [
      'EAN',
      'Désignation',
      'status',
      'asin',
      'proposed_asin',
      'match_type',
    ]);
    const manualLine = lines.find((l) => l.startsWith(first.code))!.split(';');
    assert.equal(manualLine[header.indexOf('asin')], 'B0MANUAL01');
    assert.equal(manualLine[header.indexOf('match_type')], 'manual');
    assert.equal(lines.find((l) => l.startsWith('ABC'))!.split(';')[2], 'invalid');

    const jsonl = await call('GET', `/jobs/${id}/download?format=jsonl`);
    assert.equal(jsonl.headers['content-type'], 'application/x-ndjson; charset=utf-8');
    const records = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 13);
    assert.equal(records.find((r) => r.EAN === first.code)?.asin, 'B0MANUAL01');
    assert.ok(records.every((r) => 'proposed_asin' in r));

    const xlsx = await t.call({
      method: 'GET',
      url: `${BASE}/jobs/${id}/download?format=xlsx`,
      token: alice,
    });
    assert.equal(
      xlsx.headers['content-type'],
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.rowCount, 14);
    const asinColumn = (sheet.getRow(1).values as unknown[]).indexOf('asin');
    const row = sheet.getRows(2, 13)!.find((r) => String(r.getCell(1).value) === first.code)!;
    assert.equal(row.getCell(asinColumn).value, 'B0MANUAL01');
    const badFormat = await call('GET', `/jobs/${id}/download?format=pdf`);
    assert.equal(badFormat.statusCode, 400);

    // Logs.
    const logs = (await call('GET', `/jobs/${id}/logs?per_page=100`)).json();
    const messages = logs.items.map((l: { message: string }) => l.message);
    assert.ok(
      messages.includes('Job completed') && messages.includes('Manual choice'),
      messages.join(),
    );
    assert.equal(messages.filter((m: string) => m === 'Manual choice').length, 3);
  });

  async function cacheRow(gtin: string): Promise<unknown> {
    return ctx
      .database()
      .db.selectFrom('amazon_mappings')
      .select(['asin', 'match_type', 'confidence'])
      .where('gtin', '=', gtin)
      .executeTakeFirst();
  }

  it('a manual choice on a code still pending counts it done', async () => {
    const codes = knownCodes(7)
      .slice(4)
      .map((k) => k.code);
    const res = await createByJson(
      t,
      { name: 'Pending choice', codes, marketplaces: ['fr'], refresh: true },
      alice,
    );
    const id = res.json().id as string;
    const pending = await results(id, '?status=pending');
    assert.equal(pending.total, 3);
    const chosen = await call('PATCH', `/jobs/${id}/results/${pending.items[0]!.id}`, {
      asin: null,
    });
    assert.equal(chosen.statusCode, 200);
    const job = (await call('GET', `/jobs/${id}`)).json();
    assert.equal(job.counters.done, 1);
    assert.equal(job.counters.not_found, 1);
    assert.equal(job.progress.done, 1);
    const settled = await runWorkerUntilSettled(jobs, emu, [id]);
    assert.equal(settled.jobs[0]?.counters.done, 3);
    assert.equal((await results(id, '?match_type=manual')).items[0]?.status, 'not_found');
  });

  it('a proposal (to_review) has no asin until a person accepts it; then it becomes asin', async () => {
    // The supplier says 7 units per row; every listing is a unit: pack_mismatch, a proposal.
    const [known] = knownCodes(12).slice(11);
    assert.ok(known);
    const created = await upload(
      t,
      [
        ['name', 'Review'],
        ['marketplaces', 'fr'],
        ['options', '{"refresh": true}'],
      ],
      [{ name: 'review.csv', content: `EAN;Quantity\n${known.code};7\n` }],
      alice,
    );
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    await runWorkerUntilSettled(jobs, emu, [id]);
    const review = await results(id, '?status=to_review');
    assert.equal(review.total, 1);
    const proposal = review.items[0] as Result & { proposed_asin: string | null };
    assert.equal(proposal.asin, null);
    assert.equal(proposal.proposed_asin, known.asin);
    assert.ok(proposal.reasons.some((r) => r.startsWith('pack_mismatch: row 7, listing ')));
    let job = (await call('GET', `/jobs/${id}`)).json();
    assert.deepEqual([job.counters.found, job.counters.to_review], [0, 1]);
    assert.equal(job.statistics.to_review, 1);
    assert.equal(job.statistics.with_asin, 0);

    const accepted = await call('PATCH', `/jobs/${id}/results/${proposal.id}`, {
      asin: proposal.proposed_asin,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const result = accepted.json().result as Result & { proposed_asin: string | null };
    assert.deepEqual(
      [result.status, result.asin, result.proposed_asin, result.match_type],
      ['found', known.asin, null, 'manual'],
    );
    job = (await call('GET', `/jobs/${id}`)).json();
    assert.deepEqual([job.counters.found, job.counters.to_review], [1, 0]);
  });

  it('answers the download of an unknown job with 404 before any byte', async (): Promise<void> => {
    const res: LightMyRequestResponse = await call(
      'GET',
      '/jobs/00000000-0000-0000-0000-000000000000/download',
    );
    assert.equal(res.statusCode, 404);
    assert.equal(errorOf(res).code, 'job_not_found');
  });
});
