import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { openDatabase } from '../../src/db/database.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { BIN, ROOT, stepUntil } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';

let emu: RunningEmulator;
let codes: string[];
before(async () => {
  const catalog = generateCatalog(150, 3);
  emu = await startEmulator({ port: 0, catalog, tps: 10, burst: 1, latencyMs: 30 });
  codes = (catalog.truth ?? [])
    .filter((t) => t.case !== 'many_hits')
    .map((t) => t.code)
    .slice(0, 40);
});
after(async () => emu.close());

function searches(): number {
  return Object.values(emu.stats().credentials).reduce(
    (n, c) => n + (c.operations.searchItems?.requests ?? 0),
    0,
  );
}

/**
 * Searches the emulator admitted (the quota they cost). A 429 (a request that reached the
 * emulator late after the one before, on a busy machine) is retried and costs nothing.
 */
function admitted(): number {
  return Object.values(emu.stats().credentials).reduce(
    (n, c) => n + (c.operations.searchItems?.status['2xx'] ?? 0),
    0,
  );
}

function spawnMap(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcessWithoutNullStreams; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [BIN, 'map', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
  return { child, done };
}

/** The environment of a `code2asin map` run on `url` against the emulator (10 requests/s). */
function mapEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...emu.env('creators'),
    DATABASE_URL: url,
    AMAZON_TPS: '10',
    AMAZON_BURST: '1',
    CODE2ASIN_SECRET_KEY: 'cd'.repeat(32),
    ...extra,
  };
}

forEachDatabase('code2asin map', (db) => {
  it('survives SIGKILL mid-job: rerun resumes, every code resolved once, requests ≤ distinct + one claim batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-map-'));
    const input = join(dir, 'codes.csv');
    writeFileSync(
      input,
      `EAN;Name\n${codes.map((c, i) => `${c};item ${i}`).join('\n')}\n${codes[0]};duplicate\n`,
    );
    const env = mapEnv(db.url(), {
      CODE2ASIN_LEASE_MS: '1500',
      CODE2ASIN_WORKER_CONCURRENCY: '4',
    });
    emu.resetStats();
    const first = spawnMap([input, '-o', join(dir, 'out.csv')], env);
    assert.ok(await stepUntil(first.child, () => admitted() >= 12), 'the first run got going');
    first.child.kill('SIGKILL');
    await first.done;
    assert.ok(admitted() < codes.length, 'killed mid-job');

    const second = spawnMap([input, '-o', join(dir, 'out.csv')], env);
    const res = await second.done;
    assert.equal(res.code, 0, res.out);
    assert.match(res.out, /Resuming job/);
    assert.match(res.out, /completed/);
    // The killed run held at most one claim batch (its 4 lanes) whose answers it never stored;
    // each unit whose lease ran out while a run held it (a stall longer than the 1.5 s lease on
    // a busy machine) may be looked up once more: it is logged as lease_lost.
    const claimBatch = 4;
    const leaseLost = await countLeaseLost(db.url());
    assert.ok(
      admitted() <= codes.length + claimBatch + leaseLost,
      `admitted searches ${admitted()} for ${codes.length} codes (${leaseLost} lease lost)`,
    );

    const lines = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split(/\r?\n/);
    assert.equal(lines.length, codes.length + 2);
    assert.ok(
      lines.slice(1).every((l) => /;(found|to_review|not_found);/.test(l)),
      'every row resolved',
    );
    const database = openDatabase(db.url());
    try {
      const units = await database.db.selectFrom('code2asin_results').select(['status']).execute();
      assert.equal(units.length, codes.length);
      assert.ok(units.every((u) => ['found', 'to_review', 'not_found'].includes(u.status)));
      // Each store increments done_count in the result's own transaction: a unit stored twice
      // would count twice. (The per-code log is written after that commit, so a SIGKILL between
      // the two can leave one code without its log line: not a second store.)
      const job = await database.db
        .selectFrom('code2asin_jobs')
        .selectAll()
        .executeTakeFirstOrThrow();
      assert.equal(job.done_count, codes.length, 'each code stored exactly once');
      assert.equal(job.found_count + job.to_review_count + job.not_found_count, codes.length);
      const stores = await database.db
        .selectFrom('code2asin_logs')
        .select('details')
        .where('message', '=', 'Code looked up')
        .execute();
      const stored = stores.filter((s) => !String(s.details).includes('lease_lost'));
      assert.ok(
        stored.length >= codes.length - 1 && stored.length <= codes.length,
        `${stored.length} log lines`,
      );
    } finally {
      await database.close();
    }
  });

  it('Ctrl-C pauses cleanly; the same command resumes the same job; a third run costs no request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-map-'));
    const input = join(dir, 'codes.csv');
    writeFileSync(input, `code\n${codes.slice(0, 30).join('\n')}\n`);
    const env = mapEnv(db.url());
    emu.resetStats();
    const first = spawnMap([input, '-o', join(dir, 'out.jsonl'), '--refresh'], env);
    assert.ok(await stepUntil(first.child, () => admitted() >= 5), 'the first run got going');
    first.child.kill('SIGINT');
    first.child.kill('SIGCONT');
    const r1 = await first.done;
    assert.equal(r1.code, 130, r1.out);
    assert.match(r1.out, /paused: run the same command again to resume/);
    const partial = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n');
    assert.equal(partial.length, 30, 'partial result file has every row');
    const pending = partial.filter((l) => l.includes('"status":"pending"')).length;
    assert.ok(pending > 0);
    // Answers the pause threw away: at most one per lane (map runs ceil(AMAZON_TPS) + 2 = 12).
    const firstRun = admitted();
    assert.ok(firstRun - (30 - pending) <= 12, `${firstRun} admitted, ${30 - pending} stored`);

    const r2 = await spawnMap([input, '-o', join(dir, 'out.jsonl'), '--refresh'], env).done;
    assert.equal(r2.code, 0, r2.out);
    assert.match(r2.out, /Resuming job/);
    // The rerun looks up at most what the file showed pending, each code once (a code whose
    // answer the first run stored after writing that file needs no request).
    assert.ok(admitted() - firstRun <= pending, `${admitted() - firstRun} for ${pending} pending`);
    const done = readFileSync(join(dir, 'out.jsonl'), 'utf8');
    assert.ok(!done.includes('"status":"pending"'));

    emu.resetStats();
    const r3 = await spawnMap([input, '-o', join(dir, 'again.csv')], env).done;
    assert.equal(r3.code, 0, r3.out);
    assert.match(r3.out, /30 already known, 0 to query/);
    assert.equal(searches(), 0);
  });

  it('SIGKILL while the file is read: the rerun reads it again in a new job, never runs the half-read one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2a-map-'));
    const input = join(dir, 'codes.csv');
    // Many rows, few distinct codes: a long read, a short run.
    const few = codes.slice(0, 5);
    const rows = 200_000;
    writeFileSync(
      input,
      `EAN;Name\n${Array.from({ length: rows }, (_, i) => `${few[i % few.length]};item ${i}`).join('\n')}\n`,
    );
    const env = mapEnv(db.url());
    const database = openDatabase(db.url());
    try {
      const first = spawnMap([input, '-o', join(dir, 'out.csv')], env);
      const halfRead = async () =>
        database.db
          .selectFrom('code2asin_jobs as j')
          .innerJoin('code2asin_rows as r', 'r.job_id', 'j.id')
          .select('j.id')
          .where('j.name', '=', 'codes.csv')
          .where('j.source_sha256', 'is not', null)
          .where('j.preflight', 'is', null)
          .limit(1)
          .executeTakeFirst();
      // Polled while the child runs free (stepping it deadlocked on SQLite: see the README's
      // testing section), for as long as the child lives: on a loaded machine its start alone
      // can take minutes, and reading 200,000 rows spans many polls whatever the load.
      let exited = false;
      void first.done.then(() => (exited = true));
      let killedJob: string | undefined;
      while (!killedJob && !exited) {
        killedJob = (await halfRead())?.id;
        if (!killedJob) await new Promise((r) => setTimeout(r, 10));
      }
      first.child.kill('SIGKILL');
      await first.done;
      assert.ok(killedJob, 'killed while the file was being read');
      const left = await database.db
        .selectFrom('code2asin_jobs')
        .select(['preflight', 'status'])
        .where('id', '=', killedJob)
        .executeTakeFirstOrThrow();
      assert.equal(left.preflight, null, 'the first run had not finished reading the file');

      const second = await spawnMap([input, '-o', join(dir, 'out.csv')], env).done;
      assert.equal(second.code, 0, second.out);
      assert.match(second.out, /never completely read/);
      assert.match(second.out, /Read codes\.csv: 200,000 rows in \d+/);
      assert.doesNotMatch(second.out, /Resuming job/);
      assert.match(second.out, new RegExp(`${rows.toLocaleString('en')} rows|${rows} rows`));
      const lines = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split(/\r?\n/);
      assert.equal(lines.length, rows + 1, 'every row of the file in the result');
      assert.ok(
        lines.slice(1).every((l) => /;(found|not_found);/.test(l)),
        'every row resolved',
      );
      // The half-read job never ran: it is still pending, or — when the rerun lasted past
      // ABANDONED_INGESTION_MS, as on a loaded machine — maintenance deleted it as abandoned.
      const halfReadJob = await database.db
        .selectFrom('code2asin_jobs')
        .select('status')
        .where('id', '=', killedJob)
        .executeTakeFirst();
      assert.ok(
        halfReadJob === undefined || halfReadJob.status === 'pending',
        `the half-read job never ran (status ${halfReadJob?.status})`,
      );
    } finally {
      await database.close();
    }
  });
});

/** "Code looked up" lines of units whose lease another claim had taken (stored elsewhere). */
async function countLeaseLost(url: string): Promise<number> {
  const database = openDatabase(url);
  try {
    const lines = await database.db
      .selectFrom('code2asin_logs')
      .select('details')
      .where('message', '=', 'Code looked up')
      .execute();
    return lines.filter((l) => String(l.details).includes('lease_lost')).length;
  } finally {
    await database.close();
  }
}
