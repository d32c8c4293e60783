import { z } from 'zod';
import { bool, httpUrl, optionalText, type ParsedOf, type VariableSpec } from './env-schemas.js';

/** The job worker, ingestion, limits, webhooks and images (and how processes share a quota). */
export const JOBS_VARIABLES = {
  CODE2ASIN_SHARED_RATE_LIMIT: { schema: bool, expected: 'true or false' },
  CODE2ASIN_SHARE_LEASE_MS: {
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .transform((v, ctx) => {
        if (v === 'auto') return null;
        const n = Number(v);
        if (v !== '' && Number.isInteger(n) && (n === 0 || (n >= 200 && n <= 600_000))) return n;
        ctx.addIssue({ code: 'custom', message: 'not auto, 0 or 200–600000' });
        return z.NEVER;
      }),
    expected:
      '`auto` (10000 on PostgreSQL, off on SQLite), 0 (off) or milliseconds until a dead process’s share of a credential returns, 200–600000',
  },
  CODE2ASIN_WORKER: {
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .transform((v) =>
        ['true', '1', 'yes', 'on'].includes(v)
          ? 'process'
          : ['false', '0', 'no', 'off'].includes(v)
            ? 'off'
            : v,
      )
      .pipe(z.enum(['process', 'inline', 'off'])),
    expected: '`process`, `inline` or `off` (`true` = `process`, `false` = `off`)',
  },
  CODE2ASIN_WORKER_CONCURRENCY: {
    schema: z.coerce.number().int().min(0).max(256),
    expected:
      'lookups in flight per worker, 0 = automatic from the rate, answer time and workers sharing it',
  },
  CODE2ASIN_INGEST_THREADS: {
    schema: z.coerce.number().int().min(0).max(16),
    expected: 'uploads read at once by serve, each on a worker thread; 0 = on the API event loop',
  },
  CODE2ASIN_INGEST_QUEUE: {
    schema: z.coerce.number().int().min(0).max(10_000),
    expected: 'uploads waiting for an ingestion thread before 503, ≥ 0',
  },
  CODE2ASIN_LEASE_MS: {
    schema: z.coerce.number().int().min(500),
    expected: 'milliseconds a claimed unit stays held, ≥ 500',
  },
  CODE2ASIN_CHAIN_BATCH_WAIT_MS: {
    schema: z.coerce.number().int().min(0).max(3_600_000),
    expected:
      'longest milliseconds a code of a later provider-chain step waits for more before a short request, 0–3600000 (0 = never waits)',
  },
  CODE2ASIN_QUOTA_FLUSH_MS: {
    schema: z.coerce.number().int().min(100).max(3_600_000),
    expected: 'milliseconds between two writes of the quota figures, 100–3600000',
  },
  CODE2ASIN_MAINTENANCE_MS: {
    schema: z.coerce.number().int().min(100),
    expected: 'longest milliseconds between two sweeps of expired leases and due retries, ≥ 100',
  },
  CODE2ASIN_MIN_FREE_DISK_MB: {
    schema: z.coerce.number().int().min(0),
    expected:
      'megabytes of free space below which the worker stops claiming (database and images volumes), ≥ 0 (0 = never)',
  },
  CODE2ASIN_CACHE_TTL_DAYS: {
    schema: z.coerce.number().min(0),
    expected: 'days a cached mapping is reused, ≥ 0',
  },
  CODE2ASIN_ACCEPT_THRESHOLD: {
    schema: z.coerce.number().min(0).max(1),
    expected: 'the lowest confidence accepted automatically, 0–1 (below: proposed for review)',
  },
  CODE2ASIN_LOG_RETENTION_DAYS: {
    schema: z.coerce.number().int().min(1),
    expected: 'days job logs are kept, ≥ 1',
  },
  CODE2ASIN_UPLOAD_LIMIT_MB: {
    schema: z.coerce.number().positive(),
    expected: 'the largest accepted input file in MB',
  },
  CODE2ASIN_WEBHOOK_URL: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL notified when any job ends',
  },
  CODE2ASIN_WEBHOOK_SECRET: {
    schema: optionalText.refine(
      (v) => v === undefined || v.length >= 16,
      'shorter than 16 characters',
    ),
    expected: 'at least 16 characters; the HMAC-SHA256 key of webhook signatures',
    secret: true,
  },
  CODE2ASIN_WEBHOOK_ALLOW_PRIVATE: { schema: bool, expected: 'true or false' },
  CODE2ASIN_IMAGE_DIR: { schema: optionalText, expected: 'a folder for downloaded product images' },
} satisfies Record<string, VariableSpec>;

export const JOBS_DEFAULTS: Partial<Record<keyof typeof JOBS_VARIABLES, string>> = {
  CODE2ASIN_SHARED_RATE_LIMIT: 'true',
  CODE2ASIN_SHARE_LEASE_MS: 'auto',
  CODE2ASIN_WORKER: 'process',
  CODE2ASIN_WORKER_CONCURRENCY: '0',
  CODE2ASIN_INGEST_THREADS: '1',
  CODE2ASIN_INGEST_QUEUE: '32',
  CODE2ASIN_LEASE_MS: '60000',
  CODE2ASIN_MAINTENANCE_MS: '5000',
  CODE2ASIN_CHAIN_BATCH_WAIT_MS: '30000',
  CODE2ASIN_QUOTA_FLUSH_MS: '1000',
  CODE2ASIN_MIN_FREE_DISK_MB: '200',
  CODE2ASIN_CACHE_TTL_DAYS: '30',
  CODE2ASIN_ACCEPT_THRESHOLD: '0.8',
  CODE2ASIN_LOG_RETENTION_DAYS: '90',
  CODE2ASIN_UPLOAD_LIMIT_MB: '100',
  CODE2ASIN_WEBHOOK_ALLOW_PRIVATE: 'false',
};

type JobsParsed = ParsedOf<typeof JOBS_VARIABLES>;

export interface JobsConfig {
  /**
   * Where `serve` runs its job worker: `process` a supervised `code2asin worker` child (its
   * own event loop, so HTTP load never delays a request slot), `inline` on the server's event
   * loop, `off` none (workers run apart).
   */
  readonly worker: 'process' | 'inline' | 'off';
  /** 0 = automatic. */
  readonly concurrency: number;
  /** Uploads `serve` reads at once, each on a worker thread; 0 = on the API's event loop. */
  readonly ingestThreads: number;
  /** Uploads waiting for an ingestion thread; beyond, 503 with Retry-After. */
  readonly ingestQueue: number;
  readonly leaseMs: number;
  /** Longest a later chain step's code waits for a fuller request (CODE2ASIN_CHAIN_BATCH_WAIT_MS). */
  readonly chainBatchWaitMs: number;
  /** Longest wait between two maintenance runs (expired leases, due retries). */
  readonly maintenanceMs: number;
  /** Free megabytes (database and images volumes) below which workers stop claiming. */
  readonly minFreeDiskMb: number;
  readonly cacheTtlDays: number;
  /** Lowest confidence accepted automatically; below it an ASIN is only proposed. */
  readonly acceptThreshold: number;
  readonly logRetentionDays: number;
  readonly uploadLimitBytes: number;
  readonly webhookUrl: string | undefined;
  readonly webhookSecret: string | undefined;
  readonly webhookAllowPrivate: boolean;
  readonly imageDir: string | undefined;
}

/** `Config['jobs']` from the parsed variables. */
export function jobsConfig(v: JobsParsed): JobsConfig {
  return {
    worker: v.CODE2ASIN_WORKER,
    concurrency: v.CODE2ASIN_WORKER_CONCURRENCY,
    ingestThreads: v.CODE2ASIN_INGEST_THREADS,
    ingestQueue: v.CODE2ASIN_INGEST_QUEUE,
    leaseMs: v.CODE2ASIN_LEASE_MS,
    maintenanceMs: v.CODE2ASIN_MAINTENANCE_MS,
    chainBatchWaitMs: v.CODE2ASIN_CHAIN_BATCH_WAIT_MS,
    minFreeDiskMb: v.CODE2ASIN_MIN_FREE_DISK_MB,
    cacheTtlDays: v.CODE2ASIN_CACHE_TTL_DAYS,
    acceptThreshold: v.CODE2ASIN_ACCEPT_THRESHOLD,
    logRetentionDays: v.CODE2ASIN_LOG_RETENTION_DAYS,
    uploadLimitBytes: Math.round(v.CODE2ASIN_UPLOAD_LIMIT_MB * 1024 * 1024),
    webhookUrl: v.CODE2ASIN_WEBHOOK_URL,
    webhookSecret: v.CODE2ASIN_WEBHOOK_SECRET,
    webhookAllowPrivate: v.CODE2ASIN_WEBHOOK_ALLOW_PRIVATE,
    imageDir: v.CODE2ASIN_IMAGE_DIR,
  };
}
