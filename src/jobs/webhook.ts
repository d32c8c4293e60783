import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '../logging/logger.js';
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
  fetch?: typeof fetch;
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

/** Loopback, private, link-local, unspecified, CGNAT and unique-local addresses. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return (
    v6 === '::1' ||
    v6 === '::' ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('fc') ||
    v6.startsWith('fd')
  );
}

/**
 * Refuses a webhook URL that is not http(s) or that resolves to a loopback, private or
 * link-local address (unless allowed): a job's webhook must not reach into the server's network.
 */
export async function checkWebhookUrl(url: string, allowPrivate: boolean): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Webhook URL "${url}" is not a URL; give an http(s) URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Error(`Webhook URL must be http(s), not ${parsed.protocol}`);
  if (allowPrivate) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const bad = addresses.find(isPrivateAddress);
  if (bad) {
    throw new Error(
      `Webhook URL ${parsed.origin} resolves to ${bad}, a loopback, private or link-local address; use a public address, or set CODE2ASIN_WEBHOOK_ALLOW_PRIVATE=true to allow it.`,
    );
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
  const send = async (job: Job, url: string): Promise<void> => {
    const body = JSON.stringify(webhookPayload(job));
    const delays = settings.retryDelaysMs ?? [1000, 5000, 25_000];
    for (let attempt = 1; attempt <= delays.length + 1; attempt += 1) {
      try {
        await checkWebhookUrl(url, settings.allowPrivate ?? false);
        const res = await (settings.fetch ?? fetch)(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'code2asin-webhook/1',
            [SIGNATURE_HEADER]: signWebhook(settings.secret, body),
          },
          body,
          signal: AbortSignal.timeout(settings.timeoutMs ?? 5000),
          redirect: 'manual',
        });
        if (res.ok) {
          await createJobLog(job.id, 'INFO', 'Webhook delivered', {
            url: new URL(url).origin,
            status: res.status,
            attempt,
          });
          return;
        }
        throw new Error(`HTTP ${res.status}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const last =
          attempt > delays.length || /resolves to|must be http|is not a URL/.test(message);
        await createJobLog(
          job.id,
          last ? 'ERROR' : 'WARNING',
          last ? 'Webhook failed' : 'Webhook attempt failed',
          { url: new URL(url).origin, attempt, error: message },
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
