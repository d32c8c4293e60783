import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJob } from '../../src/jobs/create-job.js';
import { JobError } from '../../src/jobs/errors.js';
import { createOutboundClient } from '../../src/net/outbound-request.js';
import {
  checkWebhookUrl,
  createJobEndNotifier,
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

  it('refuses non-http and private targets unless allowed', async () => {
    await assert.rejects(
      checkWebhookUrl('ftp://example.com/x', false),
      /only http:\/\/ and https:\/\//,
    );
    await assert.rejects(
      checkWebhookUrl('http://127.0.0.1:9/hook', false),
      /not a public address.*CODE2ASIN_WEBHOOK_ALLOW_PRIVATE/,
    );
    await assert.rejects(checkWebhookUrl('http://[::1]:9/hook', false), /\(loopback\)/);
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
      if (req.url?.startsWith('/moved')) {
        res.writeHead(302, { location: '/hooks/c2a' }).end();
      } else if (failFirst > 0) {
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
    const ctx = { ...createTestJobsContext(db.database()), webhookAllowPrivate: true };
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
    // The job was created while private receivers were allowed; delivery checks again.
    const ctx = { ...createTestJobsContext(db.database()), webhookAllowPrivate: true };
    const url = `http://127.0.0.1:${receiverPort()}/hooks/c2a`;
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
    assert.match(String(failed?.details), /not a public address/);
  });

  it('delivers to none of the reported internal targets, and says why once, without retrying', async () => {
    received = [];
    const dialled: string[] = [];
    const ctx = createTestJobsContext(db.database());
    const notifier = createJobEndNotifier(
      {
        secret: SECRET,
        allowPrivate: false,
        retryDelaysMs: [10, 10],
        // Nothing may be dialled; if the guard let one through, it would stay on this machine.
        outbound: createOutboundClient({
          resolve: async () => [],
          connect: (target) => {
            dialled.push(target.address);
            return netConnect({ host: '127.0.0.1', port: receiverPort() });
          },
        }),
      },
      ctx.logger,
      ctx.createJobLog,
    );
    const job = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Targets', marketplaces: ['fr'], auto_start: false },
      codes: ['3017620422003'],
    });
    for (const url of reportedTargets()) {
      await notifier.onJobEnded({
        ...job,
        status: 'completed',
        options: { ...job.options, webhook_url: url },
      });
    }
    await notifier.pending();
    assert.deepEqual(dialled, []);
    assert.equal(received.length, 0);
    const failures = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select(['message', 'details'])
      .where('job_id', '=', job.id)
      .where('message', 'like', 'Webhook%')
      .execute();
    assert.equal(failures.length, reportedTargets().length, JSON.stringify(failures));
    for (const f of failures) {
      assert.equal(f.message, 'Webhook failed');
      assert.match(String(f.details), /not a public address/);
    }
  });

  it('sends the global webhook URL through the same guard, and follows no redirect', async () => {
    received = [];
    const ctx = createTestJobsContext(db.database());
    const deliver = async (settings: { url: string; allowPrivate: boolean }) => {
      const notifier = createJobEndNotifier(
        { secret: SECRET, retryDelaysMs: [10, 10], ...settings },
        ctx.logger,
        ctx.createJobLog,
      );
      const job = await createJob(ctx, {
        owner: 'alice',
        options: { name: 'Global hook', marketplaces: ['fr'], auto_start: false },
        codes: ['3017620422003'],
      });
      await notifier.onJobEnded({ ...job, status: 'completed' });
      await notifier.pending();
      return ctx.database.db
        .selectFrom('code2asin_logs')
        .select(['message', 'details'])
        .where('job_id', '=', job.id)
        .where('message', 'like', 'Webhook%')
        .execute();
    };
    // CODE2ASIN_WEBHOOK_URL (no webhook_url on the job) at an IPv4-mapped loopback address.
    const refused = await deliver({ url: reportedTargets()[0]!, allowPrivate: false });
    assert.deepEqual(
      refused.map((l) => l.message),
      ['Webhook failed'],
    );
    assert.match(String(refused[0]!.details), /not a public address/);
    assert.equal(received.length, 0);
    // A receiver that answers with a redirect: one request, not retried, the hop never taken.
    const moved = await deliver({
      url: `http://127.0.0.1:${receiverPort()}/moved`,
      allowPrivate: true,
    });
    assert.deepEqual(
      moved.map((l) => l.message),
      ['Webhook failed'],
    );
    assert.match(String(moved[0]!.details), /redirect/i);
    assert.equal(received.length, 1);
  });

  it('refuses at creation (invalid_options, nothing stored) a webhook it would not deliver to', async () => {
    const ctx = createTestJobsContext(db.database());
    const before = await countJobs(ctx);
    for (const url of [...reportedTargets(), 'file:///etc/passwd', 'gopher://8.8.8.8/']) {
      await assert.rejects(
        createJob(ctx, {
          owner: 'alice',
          options: { name: 'Refused', marketplaces: ['fr'], webhook_url: url },
          codes: ['3017620422003'],
        }),
        (error: unknown) => {
          assert.ok(error instanceof JobError, String(error));
          assert.equal(error.code, 'invalid_options');
          assert.match(error.message, /^Invalid job options: webhook_url: /);
          assert.match(error.message, /not a public address|only http:\/\/ and https:\/\//);
          return true;
        },
        url,
      );
    }
    assert.equal(await countJobs(ctx), before);
    // CODE2ASIN_WEBHOOK_ALLOW_PRIVATE keeps loopback receivers working (but never file://).
    const allowed = { ...ctx, webhookAllowPrivate: true };
    const job = await createJob(allowed, {
      owner: 'alice',
      options: {
        name: 'Allowed',
        marketplaces: ['fr'],
        auto_start: false,
        webhook_url: reportedTargets()[0],
      },
      codes: ['3017620422003'],
    });
    assert.equal(job.options.webhook_url, reportedTargets()[0]);
    await assert.rejects(
      createJob(allowed, {
        owner: 'alice',
        options: { name: 'File', marketplaces: ['fr'], webhook_url: 'file:///etc/passwd' },
        codes: ['3017620422003'],
      }),
      /only http:\/\/ and https:\/\//,
    );
  });
});

function receiverPort(): number {
  return (receiver.address() as AddressInfo).port;
}

/** The targets of the review that were delivered or attempted (issue #13, item 1). */
function reportedTargets(): string[] {
  const port = receiverPort();
  return [
    `http://[::ffff:127.0.0.1]:${port}/hook`,
    `http://[0:0:0:0:0:ffff:7f00:1]:${port}/hook`,
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://198.18.0.1/hook',
    'http://224.0.0.1/hook',
    `http://[::127.0.0.1]:${port}/hook`,
  ];
}

async function countJobs(ctx: JobsContext): Promise<number> {
  const row = await ctx.database.db
    .selectFrom('code2asin_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
