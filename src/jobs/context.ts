import type { AmazonReadiness } from '../amazon/readiness.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { OutboundClient } from '../net/outbound-request.js';
import type { ImageDownloader } from './image-store.js';
import type { CreateJobLog } from './job-log.js';
import type { Job } from './jobs-repository.js';
import type { ProviderName } from '../config/provider-names.js';
import type { LookupBatching, ProviderInfo } from './unit-lookup.js';

/** What the jobs module needs from the process: database, logs and the end-of-job hook. */
export interface JobsContext {
  database: Database;
  logger: Logger;
  createJobLog: CreateJobLog;
  /** Called once when a job enters completed, failed or cancelled. Must not throw. */
  onJobEnded?: (job: Job) => Promise<void>;
  /** Downloads found products' images for jobs with `download_images`. */
  images?: ImageDownloader;
  /** Requests per second of the quota, for ETAs. */
  quotaTps: number;
  /** CODE2ASIN_WEBHOOK_ALLOW_PRIVATE: a job's webhook may be a loopback or private address. */
  webhookAllowPrivate?: boolean;
  /** The guarded client of outbound requests (default: system DNS; tests inject one). */
  outbound?: OutboundClient;
  /**
   * Whether the effective Amazon settings can be used (no request sent). Absent: assumed ready
   * (tests with a fake lookup). A job created while not ready waits (`waiting_for_amazon`).
   */
  amazonReadiness?: () => Promise<AmazonReadiness>;
  /**
   * How the provider batches codes and its pace, for the pre-flight's request count and ETA.
   * Absent: one code per request at `quotaTps`.
   */
  lookupBatching?: () => Promise<LookupBatching>;
  /**
   * Whether a provider is configured, and its batch shape and pace: a job's `providers` and
   * `enrich_with` are checked with it, and the pre-flight counts each provider's requests.
   */
  providerInfo?: (provider: ProviderName) => Promise<ProviderInfo>;
}
