import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import {
  checkWebhookUrl,
  createJobEndNotifier,
  isPrivateAddress,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhook,
} from '../../src/jobs/webhook.js';
import { forEachDatabase } from '../helpers/database.js';
import {
  createTestJobsContext,
  runWorkerUntilSettled,
  startTestEmulator,
} from '../helpers/jobs.js';

const SECRET = 'whsec-test-0123456789abcdef';

describe('webhook signatures and address checks', () => {
  it('verifies its own signature and refuses tampering, other keys and stale timestamps', () => {
    const body = JSON.stringify({ job_id: 'x', status: 'completed' });
    const header = signWebhook(SECRET, body);
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(verifyWebhook(SECRET, body, header), true);
    assert.equal(verifyWebhook(SECRET, body.replace('completed', 'failed'), header), false);
    assert.equal(verifyWebhook('another-secret-value', body, header), false);
    const old = signWebhook(SECRET, body, Math.floor(Date.now() / 1000) - 3600);
    assert.equal(verifyWebhook(SECRET, body, old), false);
  });

  it('classifies loopback, private, link-local and public addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isPrivateAddress(ip), true, ip);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111'])
      assert.equal(isPrivateAddress(ip), false, ip);
  });

  it('refuses non-http and private targets unless allowed', async () => {
    await assert.rejects(checkWebhookUrl('ftp://example.com/x', false), /must be http/);
    await assert.rejects(
      checkWebhookUrl('http://127.0.0.1:9/hook', false),
      /loopback, private or link-local.*CODE2ASIN_WEBHOOK_ALLOW_PRIVATE/,
    );
    await assert.rejects(checkWebhookUrl('http://[::1]:9/hook', false), /loopback/);
    await assert.doesNotReject(checkWebhookUrl('http://127.0.0.1:9/hook', true));
  });
});

let emu: RunningEmulator;
let receiver: Server;
let received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let failFirst = 0;
before(async () => {
  emu = await startTestEmulator();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (failFirst > 0) {
        failFirst -= 1;
        res.writeHead(503).end();
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
after(async () => {
  await emu.close();
  await new Promise((r) => receiver.close(r));
});

forEachDatabase('job end notification', (db) => {
  it('POSTs a signed JSON summary when a job completes, retrying a failed delivery', async () => {
    received = [];
    failFirst = 1;
    const ctx = createTestJobsContext(db.database());
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/c2a`;
    const notifier = createJobEndNotifier(
      { secret: SECRET, allowPrivate: true, retryDelaysMs: [50, 50] },
      ctx.logger,
      ctx.createJobLog,
    );
    ctx.onJobEnded = notifier.onJobEnded;
    const codes = emu.catalog
      .truth!.filter((t) => t.asin)
      .slice(0, 3)
      .map((t) => t.code);
    const job = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Hooked', marketplaces: ['fr'], webhook_url: url },
      codes,
    });
    await runWorkerUntilSettled(ctx, emu, [job.id]);
    await notifier.pending();
    assert.equal(received.length, 2, 'one failed attempt, then delivered');
    const last = received[1]!;
    assert.equal(verifyWebhook(SECRET, last.body, String(last.headers[SIGNATURE_HEADER])), true);
    const payload = JSON.parse(last.body) as Record<string, unknown>;
    assert.equal(payload.event, 'job.completed');
    assert.equal(payload.job_id, job.id);
    assert.equal((payload.counters as { done: number }).done, 3);
    const logs = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select(['message', 'level'])
      .where('job_id', '=', job.id)
      .execute();
    assert.ok(logs.some((l) => l.message === 'Webhook attempt failed' && l.level === 'WARNING'));
    assert.ok(logs.some((l) => l.message === 'Webhook delivered'));
    assert.ok(logs.some((l) => l.message === 'Notification: job completed'));
  });

  it('refuses a private target when not allowed: logged, nothing sent, the job unaffected', async () => {
    received = [];
    const ctx = createTestJobsContext(db.database());
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/c2a`;
    const notifier = createJobEndNotifier(
      { secret: SECRET, allowPrivate: false, retryDelaysMs: [10] },
      ctx.logger,
      ctx.createJobLog,
    );
    ctx.onJobEnded = notifier.onJobEnded;
    const job = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Private', marketplaces: ['fr'], webhook_url: url },
      codes: ['3017620422003'],
    });
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id]);
    await notifier.pending();
    assert.equal(jobs[0]!.status, 'completed');
    assert.equal(received.length, 0);
    const failed = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select('details')
      .where('job_id', '=', job.id)
      .where('message', '=', 'Webhook failed')
      .executeTakeFirst();
    assert.match(String(failed?.details), /loopback, private or link-local/);
  });
});
