import { createHash } from 'node:crypto';
import { createAmazonClient, type AmazonClient, type AmazonClientDeps } from './client.js';
import type { AmazonSettings } from './provider.js';
import { PROVIDERS } from './provider-registry.js';
import { withQuotaRecording, type QuotaCredential, type QuotaRecorder } from './quota-recorder.js';
import { withLatencyEstimate } from './latency-estimate.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import type { RateShareStore } from './rate-share-store.js';
import { createShareLimiter } from './share-limiter.js';
import { createSharedRateLimiter } from './shared-rate-limiter.js';

/** Builds a client; tests may wrap the real one. */
export type AmazonClientFactory = (
  settings: AmazonSettings,
  deps: AmazonClientDeps,
) => AmazonClient;

/**
 * The Amazon clients of the process: one per distinct effective settings (a settings change
 * builds a new one), all clients of one credential sharing one rate limiter, so the HTTP routes
 * and the worker together never exceed the credential's quota. With a `rateLimitStore`, the
 * limiters also share each credential's quota with the other processes using that store.
 */
export interface AmazonClients {
  /** The client for these settings; throws the client's AmazonError when they are unusable. */
  clientFor(settings: AmazonSettings): AmazonClient;
  /** The limiter of the settings' credential (and rate). */
  limiterFor(settings: AmazonSettings): RateLimiter;
  /** Writes the quota figures this process has buffered (before the dashboard is read). */
  flushQuota(): Promise<void>;
}

export interface AmazonClientsOptions {
  create?: AmazonClientFactory;
  /** Passed to every client (logger, fetch, clock, retry). */
  clientDeps?: Omit<AmazonClientDeps, 'limiter'>;
  /** Clients kept at most (least recently used dropped first). Default 16. */
  maxClients?: number;
  /**
   * Where limiters keep their state when several processes share a credential (the database's
   * `rate_limits`). Without it each process paces itself alone.
   */
  rateLimitStore?: RateLimitStore;
  /** Where each credential's requests, 429s and tokens are recorded (the quota dashboard). */
  quotaRecorder?: QuotaRecorder;
  /**
   * Where processes agree on their shares of each credential's rate (issue 23). With it, a
   * credential with burst ≥ 2 is paced by shares (no database round trip per request, the
   * rate holds whatever the number of processes); burst 1 keeps `rateLimitStore`'s schedule,
   * whose grants are checked one by one against every process's previous grant.
   */
  rateShareStore?: RateShareStore;
  /** A dead process's share returns within this (default 10 s). */
  shareLeaseMs?: number;
}

export function createAmazonClients(options: AmazonClientsOptions = {}): AmazonClients {
  const create = options.create ?? createAmazonClient;
  const maxClients = options.maxClients ?? 16;
  const clients = new Map<string, AmazonClient>();
  const limiters = new Map<string, RateLimiter>();

  const limiterFor = (settings: AmazonSettings): RateLimiter => {
    const key = credentialKey(settings);
    let limiter = limiters.get(key);
    if (!limiter) {
      const pace = {
        tps: settings.tps,
        burst: settings.burst,
        tpd: settings.tpd,
        clock: options.clientDeps?.clock,
      };
      limiter = withLatencyEstimate(createLimiter(options, pace, quotaKey(settings)), pace.clock);
      const recorder = options.quotaRecorder;
      if (recorder) limiter = withQuotaRecording(limiter, recorder, quotaCredentialOf(settings));
      limiters.set(key, limiter);
    }
    return limiter;
  };

  return {
    limiterFor,
    flushQuota: () => options.quotaRecorder?.flush() ?? Promise.resolve(),
    clientFor(settings) {
      const key = fingerprint(settings);
      const cached = clients.get(key);
      if (cached) {
        clients.delete(key);
        clients.set(key, cached);
        return cached;
      }
      const client = create(settings, { ...options.clientDeps, limiter: limiterFor(settings) });
      clients.set(key, client);
      if (clients.size > maxClients) clients.delete(clients.keys().next().value as string);
      return client;
    },
  };
}

function createLimiter(
  options: AmazonClientsOptions,
  pace: RateLimiterOptions,
  key: string,
): RateLimiter {
  const shares = options.rateShareStore;
  if (shares && (pace.burst ?? 1) >= 2)
    return createShareLimiter({ ...pace, store: shares, key, leaseMs: options.shareLeaseMs });
  const store = options.rateLimitStore;
  return store ? createSharedRateLimiter({ ...pace, store, key }) : createRateLimiter(pace);
}

/** The credential Amazon counts a quota for (provider, key id, endpoint). */
function credentialOf(s: AmazonSettings): readonly unknown[] {
  return PROVIDERS[s.provider].credentialOf(s);
}

/** One credential at one rate: this process's limiter. Hashed, so no secret is kept as a key. */
function credentialKey(s: AmazonSettings): string {
  return sha256(JSON.stringify([...credentialOf(s), s.tps, s.burst, s.tpd]));
}

/**
 * The credential's row in the shared store, whatever rate a process is configured with: the
 * quota is the credential's, so processes configured differently still share it.
 */
function quotaKey(s: AmazonSettings): string {
  return `${s.provider}:${sha256(JSON.stringify(credentialOf(s)))}`;
}

/** The credential as the quota dashboard shows it: its limiter key and a name that is no secret. */
function quotaCredentialOf(s: AmazonSettings): QuotaCredential {
  const name =
    s.provider === 'creators'
      ? (s.creators.credentialId ?? null)
      : s.provider === 'paapi'
        ? (s.paapi.accessKey ?? null)
        : s.provider === 'keepa' && s.keepa.key
          ? `…${s.keepa.key.slice(-4)}`
          : null;
  return { key: quotaKey(s), provider: s.provider, credential: name, tps: s.tps, tpd: s.tpd };
}

function fingerprint(s: AmazonSettings): string {
  return sha256(JSON.stringify(s));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
