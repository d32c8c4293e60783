import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import type { OutboundPolicy } from '../net/outbound-guard.js';
import { OutboundError } from '../net/outbound-error.js';
import { createOutboundClient, type OutboundClient } from '../net/outbound-request.js';
import type { JobsContext } from './context.js';
import { JobError } from './errors.js';
import type { CreateJobLog } from './job-log.js';
import type { Job } from './jobs-repository.js';

export const SIGNATURE_HEADER = 'x-code2asin-signature';

export interface WebhookSettings {
  /** Global URL, used for jobs without their own `webhook_url`. */
  url?: string | null;
  /** HMAC-SHA256 key of the signature. */
  secret: Buffer | string;
  /** Allow loopback, private and link-local targets (tests, same-host receivers). */
  allowPrivate?: boolean;
  timeoutMs?: number;
  /** Delays before the 2nd, 3rd… attempt (default 1 s, 5 s, 25 s). */
  retryDelaysMs?: readonly number[];
  /** The guarded client every delivery goes through (tests inject a resolver and connector). */
  outbound?: OutboundClient;
}

/** The JSON POSTed when a job ends. */
export interface WebhookPayload {
  event: 'job.completed' | 'job.failed' | 'job.cancelled';
  job_id: string;
  name: string;
  supplier_code: string | null;
  status: string;
  marketplaces: string[];
  counters: Job['counters'];
  error_message: string | null;
  created_at: string;
  completed_at: string | null;
  results_url: string;
}

/**
 * Signs a body: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp in
 * the signed text lets receivers refuse replays (documented in the README).
 */
export function signWebhook(
  secret: Buffer | string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Receiver side: checks a signature header against the raw body, within a tolerance. */
export function verifyWebhook(
  secret: Buffer | string,
  body: string,
  header: string,
  toleranceS = 300,
): boolean {
  const parts = Object.fromEntries(
    header.split(',').map((p) => p.split('=', 2) as [string, string]),
  );
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > toleranceS || !parts.v1)
    return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What a webhook URL may reach: http(s), public addresses unless private ones are allowed. */
export function webhookPolicy(allowPrivate: boolean): OutboundPolicy {
  return {
    purpose: 'webhook URL',
    allowPrivate,
    privateHint:
      '(or set CODE2ASIN_WEBHOOK_ALLOW_PRIVATE=true to allow loopback and private receivers)',
  };
}

/**
 * Refuses a webhook URL that is not http(s) or that resolves to a non-public address (unless
 * allowed): a job's webhook must not reach into the server's network. Throws an OutboundError.
 */
export async function checkWebhookUrl(
  url: string,
  allowPrivate: boolean,
  outbound: OutboundClient = createOutboundClient(),
): Promise<void> {
  await outbound.check(url, webhookPolicy(allowPrivate));
}

/** Checks a job's `webhook_url` at creation: a refused URL is an `invalid_options` JobError. */
export async function checkJobWebhook(
  ctx: Pick<JobsContext, 'webhookAllowPrivate' | 'outbound'>,
  url: string,
): Promise<void> {
  try {
    await checkWebhookUrl(url, ctx.webhookAllowPrivate ?? false, ctx.outbound);
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    throw new JobError(
      'invalid_options',
      `Invalid job options: webhook_url: ${error.message}`,
      { fields: [{ field: 'webhook_url', problem: error.message, reason: error.code }] },
      { cause: error },
    );
  }
}

/** The origin of a URL for logs (never its path or query, which may carry a token). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

export function webhookPayload(job: Job): WebhookPayload {
  return {
    event: `job.${job.status}` as WebhookPayload['event'],
    job_id: job.id,
    name: job.name,
    supplier_code: job.supplier_code,
    status: job.status,
    marketplaces: job.marketplaces,
    counters: job.counters,
    error_message: job.error_message,
    created_at: job.created_at,
    completed_at: job.completed_at,
    results_url: `/api/v1/code2asin/jobs/${job.id}/download`,
  };
}

/**
 * The end-of-job hook: a log entry, and with a webhook URL (the job's or the global one) a signed
 * POST, timeout 5 s, retried with backoff. Delivery runs in the background (`pending()` to wait
 * for it at shutdown) and never throws.
 */
export function createJobEndNotifier(
  settings: WebhookSettings,
  logger: Logger,
  createJobLog: CreateJobLog,
) {
  const inFlight = new Set<Promise<void>>();
  const outbound = settings.outbound ?? createOutboundClient();
  const send = async (job: Job, url: string): Promise<void> => {
    const body = JSON.stringify(webhookPayload(job));
    const delays = settings.retryDelaysMs ?? [1000, 5000, 25_000];
    for (let attempt = 1; attempt <= delays.length + 1; attempt += 1) {
      try {
        const res = await outbound.request(url, webhookPolicy(settings.allowPrivate ?? false), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'code2asin-webhook/1',
            [SIGNATURE_HEADER]: signWebhook(settings.secret, body),
          },
          body,
          timeoutMs: settings.timeoutMs ?? 5000,
          // Only the status counts: the receiver's body is dropped unread.
          maxBytes: 0,
          readBody: false,
        });
        if (res.status >= 200 && res.status < 300) {
          await createJobLog(job.id, 'INFO', 'Webhook delivered', {
            url: originOf(url),
            status: res.status,
            attempt,
          });
          return;
        }
        throw new Error(`HTTP ${res.status}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // A refused URL or a redirect will not change on retry: fail now.
        const final =
          error instanceof OutboundError &&
          (error.refused || error.code === 'redirect_not_followed');
        const last = attempt > delays.length || final;
        await createJobLog(
          job.id,
          last ? 'ERROR' : 'WARNING',
          last ? 'Webhook failed' : 'Webhook attempt failed',
          { url: originOf(url), attempt, error: message },
        );
        if (last) return;
        await new Promise((r) => setTimeout(r, delays[attempt - 1]));
      }
    }
  };
  return {
    async onJobEnded(job: Job): Promise<void> {
      await createJobLog(job.id, 'INFO', `Notification: job ${job.status}`, {
        counters: job.counters,
      });
      const url = job.options.webhook_url ?? settings.url;
      if (!url) return;
      const p = send(job, url).catch((err: unknown) =>
        logger.error({ err }, 'webhook delivery crashed'),
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
    /** Waits for deliveries under way (shutdown, tests). */
    async pending(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };
}
