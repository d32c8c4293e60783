import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJobLogWriter } from '../../src/jobs/job-log.js';
import { forEachDatabase } from '../helpers/database.js';
import { emulatorSettings, runWorkerUntilSettled, startTestEmulator } from '../helpers/jobs.js';
import { createTestApp, type TestApp } from './http-helpers.js';
import { BASE, jobId } from './jobs-helpers.js';

let emu: RunningEmulator;
before(async () => {
  // Slow enough (5 codes/s) that the job is seen in progress for a few seconds.
  emu = await startTestEmulator({ tps: 5, burst: 1 });
});
after(() => emu.close());

interface SseMessage {
  event: string | null;
  data: unknown;
  comment: string | null;
}

/** Reads Server-Sent Events from a fetch response, one message (or comment) at a time. */
function sseReader(res: Response): { next(timeoutMs?: number): Promise<SseMessage | null> } {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    // "Eventually": a generous wait, never a speed figure (a busy machine delays events).
    async next(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (lines.every((l) => l.startsWith('retry:'))) continue;
          const comment = lines.find((l) => l.startsWith(':'));
          if (comment) return { event: null, data: null, comment: comment.slice(1).trim() };
          const event =
            lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim() ?? null;
          const data = lines
            .find((l) => l.startsWith('data:'))
            ?.slice(5)
            .trim();
          return { event, data: data ? JSON.parse(data) : null, comment: null };
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms; buffer: ${buffer}`);
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('read timeout')), left),
          ),
        ]);
        if (chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
  };
}

forEachDatabase('Code2ASIN job events (SSE) on a listening server', (ctx) => {
  let t: TestApp;
  let url: string;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write', 'delete']);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  const open = (id: string, token = alice, query = '', signal?: AbortSignal) =>
    fetch(`${url}${BASE}/jobs/${id}/events${query}`, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    });
  const post = (path: string) =>
    fetch(`${url}${BASE}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}` },
    });

  it('sends the job on status change and while it progresses, heartbeats, and ends after completion', async () => {
    const codes = emu.catalog
      .truth!.filter((x) => x.case === 'exact_unique')
      .slice(0, 12)
      .map((x) => x.code);
    const id = await jobId(t, { name: 'Events', codes, auto_start: false }, alice);
    const res = await open(id, alice, '?heartbeat=1');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
    const sse = sseReader(res);
    const first = await sse.next();
    assert.equal(first?.event, 'status');
    assert.deepEqual(
      {
        status: (first?.data as { status: string }).status,
        total: (first?.data as { progress: { total: number } }).progress.total,
      },
      { status: 'pending', total: 12 },
    );
    const heartbeat = await sse.next();
    assert.equal(heartbeat?.comment, 'heartbeat');

    assert.equal((await post(`/jobs/${id}/start`)).status, 200);
    const db = ctx.database();
    const jobs = {
      database: db,
      logger: t.logs.logger,
      createJobLog: createJobLogWriter(db.db, t.logs.logger),
      quotaTps: 5,
    };
    const settings = emulatorSettings(emu, { AMAZON_TPS: '5', AMAZON_BURST: '1' });
    const worker = runWorkerUntilSettled(jobs, emu, [id], { settings, timeoutMs: 120_000 });
    const seen: SseMessage[] = [];
    for (;;) {
      const message = await sse.next();
      if (!message) break;
      if (message.comment === null) seen.push(message);
    }
    await worker;
    const statuses = seen
      .filter((m) => m.event === 'status')
      .map((m) => (m.data as { status: string }).status);
    assert.deepEqual(statuses, ['processing', 'completed']);
    const progress = seen
      .filter((m) => m.event === 'progress')
      .map((m) => (m.data as { progress: { done: number } }).progress.done);
    assert.ok(progress.length >= 1, `progress events: ${JSON.stringify(seen.map((m) => m.event))}`);
    assert.deepEqual(
      [...progress].sort((a, b) => a - b),
      progress,
      'progress never goes back',
    );
    const last = seen.at(-1)!;
    assert.equal(last.event, 'end');
    assert.deepEqual(last.data, { status: 'completed' });
    const completed = seen.find(
      (m) => m.event === 'status' && (m.data as { status: string }).status === 'completed',
    );
    assert.equal((completed?.data as { progress: { percent: number } }).progress.percent, 100);
  });

  it('closes cleanly when the client disconnects, and when the job is deleted', async () => {
    const id = await jobId(
      t,
      { name: 'Leave', codes: ['3017620422003'], auto_start: false },
      alice,
    );
    const controller = new AbortController();
    const res = await open(id, alice, '', controller.signal);
    const sse = sseReader(res);
    assert.equal((await sse.next())?.event, 'status');
    controller.abort();
    // The server notices and keeps serving; the job is still there.
    await new Promise((r) => setTimeout(r, 1200));
    const again = sseReader(await open(id));
    assert.equal((await again.next())?.event, 'status');
    const del = await fetch(`${url}${BASE}/jobs/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(del.status, 204);
    const end = await again.next();
    assert.deepEqual(
      { event: end?.event, data: end?.data },
      { event: 'end', data: { status: 'deleted' } },
    );
    assert.equal(await again.next(), null);
    assert.ok(!t.logs.text().includes('job event stream failed'), 'no stream error logged');
  });

  it("answers 404 (JSON, no stream) for someone else's job and 401 without a token", async () => {
    const id = await jobId(
      t,
      { name: 'Private', codes: ['3017620422003'], auto_start: false },
      alice,
    );
    const bob = await t.tokenFor('bob', ['read']);
    const res = await open(id, bob);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'job_not_found');
    const anonymous = await fetch(`${url}${BASE}/jobs/${id}/events`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  });

  it('ends open streams when the server closes', async () => {
    const id = await jobId(
      t,
      { name: 'Shutdown', codes: ['3017620422003'], auto_start: false },
      alice,
    );
    const sse = sseReader(await open(id));
    assert.equal((await sse.next())?.event, 'status');
    // Without ending open streams first, close would wait for them for ever (the heartbeat keeps
    // them alive): a bound far above any load, only so that the failure is a message, not a hang.
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      t.app.close().then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), 60_000))),
    ]);
    clearTimeout(timer);
    assert.ok(closed, 'close waited for the stream');
    assert.equal(await sse.next(), null);
  });
});
