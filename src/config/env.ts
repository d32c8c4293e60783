import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';
import { trustProxySchema, type TrustProxy } from './trust-proxy.js';
import {
  isProviderName,
  PROVIDER_NAMES,
  PROVIDER_RATE_DEFAULTS,
  type ProviderName,
} from './provider-names.js';

export const CREDENTIAL_VERSIONS = ['2.1', '2.2', '2.3', '3.1', '3.2', '3.3'] as const;
export type CredentialVersion = (typeof CREDENTIAL_VERSIONS)[number];

/** One row of the README configuration table: the variable, its default and what it expects. */
interface VariableSpec {
  schema: z.ZodTypeAny;
  expected: string;
  secret?: boolean;
}

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'not a boolean')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const httpUrl = z
  .string()
  .trim()
  .url()
  .refine((v) => /^https?:\/\//.test(v), 'not an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v));

const positiveNumber = z.coerce.number().positive();

/** `creators=1/1,keepa=5/5` → each provider's pace in a chain (AMAZON_TPS paces the configured one). */
const chainRates = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const rates: Partial<Record<ProviderName, { tps: number; burst: number }>> = {};
    for (const part of (v ?? '').split(',').filter((x) => x.trim() !== '')) {
      const m = /^\s*([a-z]+)\s*=\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(part);
      const name = m?.[1];
      if (!m || !name || !isProviderName(name) || Number(m[2]) <= 0 || Number(m[3]) < 1) {
        ctx.addIssue({ code: 'custom', message: `not provider=tps/burst (at "${part.trim()}")` });
        return z.NEVER;
      }
      rates[name] = { tps: Number(m[2]), burst: Number(m[3]) };
    }
    return rates;
  });

export const VARIABLES = {
  DATABASE_URL: {
    schema: z
      .string()
      .trim()
      .refine(
        (v) => /^sqlite:/.test(v) || /^postgres(ql)?:\/\//.test(v),
        'not a sqlite: or postgres:// URL',
      ),
    expected: '`sqlite:./path/file.db`, `sqlite::memory:` or `postgres://user:pass@host:5432/db`',
  },
  CODE2ASIN_HOST: { schema: z.string().trim().min(1), expected: 'a host name or IP address' },
  CODE2ASIN_PORT: {
    schema: z.coerce.number().int().min(0).max(65535),
    expected: 'a port number from 0 to 65535',
  },
  CODE2ASIN_SECRET_KEY: {
    schema: optionalText.refine(
      (v) => v === undefined || decodeKey(v) !== null,
      'not a 32-byte key',
    ),
    expected: '32 bytes as 64 hex characters or 44 base64 characters (`openssl rand -hex 32`)',
    secret: true,
  },
  CODE2ASIN_PREVIOUS_SECRET_KEY: {
    schema: optionalText.refine(
      (v) => v === undefined || decodeKey(v) !== null,
      'not a 32-byte key',
    ),
    expected: 'the former CODE2ASIN_SECRET_KEY, during a key rotation (see docs)',
    secret: true,
  },
  CODE2ASIN_ADMIN_TOKEN: {
    schema: optionalText.refine(
      (v) => v === undefined || /^[\x21-\x7e]{32,200}$/.test(v),
      'not 32 to 200 printable characters without spaces',
    ),
    expected: 'a random token of at least 32 characters (`openssl rand -base64 32`)',
    secret: true,
  },
  CODE2ASIN_CORS_ORIGINS: {
    schema: optionalText.refine(
      (v) =>
        v === undefined ||
        v === '*' ||
        v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())),
      'not a comma-separated list of origins',
    ),
    expected: '`*` or origins such as `https://app.example.com,http://localhost:5173`',
  },
  CODE2ASIN_TRUST_PROXY: {
    schema: trustProxySchema,
    expected:
      '`false`, `true` (trust every hop), a hop count, or proxy addresses/CIDRs such as `127.0.0.1,10.0.0.0/8`',
  },
  CODE2ASIN_BASE_PATH: {
    schema: optionalText.refine(
      (v) => v === undefined || v === '/' || /^(\/[A-Za-z0-9._~-]+)+\/?$/.test(v),
      'not a path such as /code2asin',
    ),
    expected:
      'the path the service is published under behind a reverse proxy, such as `/code2asin`',
  },
  CODE2ASIN_AUTH_FAILURES_PER_MINUTE: {
    schema: z.coerce.number().int().min(1).max(1_000_000),
    expected:
      'wrong tokens answered 401 per client address per minute before 429, a whole number ≥ 1',
  },
  CODE2ASIN_AUTH_FAILURES_PER_SECOND: {
    schema: z.coerce.number().int().min(1).max(1_000_000),
    expected:
      'wrong tokens answered 401 per second over all addresses before 429, a whole number ≥ 1',
  },
  CODE2ASIN_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
  },
  AMAZON_PAAPI_ENABLED: { schema: bool, expected: 'true or false' },
  AMAZON_PROVIDER: {
    schema: z.enum(PROVIDER_NAMES),
    expected: PROVIDER_NAMES.map((n) => `\`${n}\``).join(' or '),
  },
  CODE2ASIN_AMAZON_SOURCE: {
    schema: z.enum(['amazon', 'emulator']),
    expected:
      '`amazon` or `emulator` (what the Amazon settings point at; `demo` and the emulator set it)',
  },
  AMAZON_MARKETPLACE: {
    schema: z
      .string()
      .trim()
      .regex(/^www\.amazon\.[a-z.]+$/, 'not a marketplace domain'),
    expected: 'a marketplace domain such as `www.amazon.fr`',
  },
  AMAZON_ASSOCIATE_TAG: {
    schema: optionalText,
    expected: 'your Associates tracking id, e.g. `mystore-21`',
  },
  AMAZON_CREATORS_CREDENTIAL_ID: {
    schema: optionalText,
    expected: 'the Credential ID from Associates Central',
    secret: false,
  },
  AMAZON_CREATORS_CREDENTIAL_SECRET: {
    schema: optionalText,
    expected: 'the Credential Secret',
    secret: true,
  },
  AMAZON_CREATORS_CREDENTIAL_VERSION: {
    schema: z.enum(CREDENTIAL_VERSIONS),
    expected: `one of ${CREDENTIAL_VERSIONS.join(', ')}`,
  },
  AMAZON_CREATORS_API_URL: {
    schema: httpUrl,
    expected: 'an http(s) URL, e.g. `http://127.0.0.1:8787`',
  },
  AMAZON_CREATORS_TOKEN_URL: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL of the OAuth2 token endpoint',
  },
  AMAZON_PAAPI_ACCESS_KEY: { schema: optionalText, expected: 'the PA-API access key' },
  AMAZON_PAAPI_SECRET_KEY: {
    schema: optionalText,
    expected: 'the PA-API secret key',
    secret: true,
  },
  AMAZON_PAAPI_HOST: { schema: optionalText, expected: 'a host such as `webservices.amazon.fr`' },
  AMAZON_PAAPI_REGION: { schema: optionalText, expected: 'an AWS region such as `eu-west-1`' },
  AMAZON_PAAPI_ENDPOINT: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL, e.g. `http://127.0.0.1:8787`',
  },
  AMAZON_SPAPI_CLIENT_ID: {
    schema: optionalText,
    expected: 'the LWA client id of your SP-API app (amzn1.application-oa2-client.…)',
  },
  AMAZON_SPAPI_CLIENT_SECRET: {
    schema: optionalText,
    expected: 'the LWA client secret of your SP-API app',
    secret: true,
  },
  AMAZON_SPAPI_REFRESH_TOKEN: {
    schema: optionalText,
    expected: 'the refresh token of your self-authorisation (Atzr|…)',
    secret: true,
  },
  AMAZON_SPAPI_ENDPOINT: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL replacing the regional SP-API host, e.g. `http://127.0.0.1:8787`',
  },
  AMAZON_SPAPI_TOKEN_URL: {
    schema: optionalText.pipe(httpUrl.optional()),
    expected: 'an http(s) URL of the Login with Amazon token endpoint',
  },
  AMAZON_KEEPA_KEY: {
    schema: optionalText,
    expected: 'the Keepa API access key (keepa.com → API)',
    secret: true,
  },
  AMAZON_KEEPA_API_URL: {
    schema: httpUrl,
    expected: 'an http(s) URL, e.g. `http://127.0.0.1:8787/keepa`',
  },
  AMAZON_CHAIN_RATES: {
    schema: optionalText.pipe(chainRates),
    expected:
      'the pace of the other providers of a job chain, `provider=tps/burst` separated by commas, e.g. `creators=1/1,keepa=5/5`',
  },
  AMAZON_TPS: { schema: positiveNumber, expected: 'requests per second, a positive number' },
  AMAZON_BURST: { schema: z.coerce.number().int().min(1), expected: 'a whole number ≥ 1' },
  AMAZON_TPD: {
    schema: z.coerce.number().int().min(1),
    expected: 'requests per day, a whole number ≥ 1',
  },
  AMAZON_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), expected: 'milliseconds, ≥ 100' },
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

export type VariableName = keyof typeof VARIABLES;

/** Defaults, shown in the README table. */
export const DEFAULTS: Partial<Record<VariableName, string>> = {
  DATABASE_URL: 'sqlite:./data/code2asin.db',
  CODE2ASIN_HOST: '127.0.0.1',
  CODE2ASIN_PORT: '8080',
  CODE2ASIN_TRUST_PROXY: 'false',
  CODE2ASIN_AUTH_FAILURES_PER_MINUTE: '10',
  CODE2ASIN_AUTH_FAILURES_PER_SECOND: '10',
  CODE2ASIN_LOG_LEVEL: 'info',
  AMAZON_PAAPI_ENABLED: 'true',
  AMAZON_PROVIDER: 'creators',
  CODE2ASIN_AMAZON_SOURCE: 'amazon',
  AMAZON_MARKETPLACE: 'www.amazon.fr',
  AMAZON_CREATORS_CREDENTIAL_VERSION: '3.2',
  AMAZON_CREATORS_API_URL: 'https://creatorsapi.amazon',
  AMAZON_KEEPA_API_URL: 'https://api.keepa.com',
  AMAZON_TPS: '1',
  AMAZON_BURST: '1',
  AMAZON_TPD: '8640',
  AMAZON_TIMEOUT_MS: '10000',
  CODE2ASIN_SHARED_RATE_LIMIT: 'true',
  CODE2ASIN_SHARE_LEASE_MS: 'auto',
  CODE2ASIN_WORKER: 'process',
  CODE2ASIN_WORKER_CONCURRENCY: '0',
  CODE2ASIN_INGEST_THREADS: '1',
  CODE2ASIN_INGEST_QUEUE: '32',
  CODE2ASIN_LEASE_MS: '60000',
  CODE2ASIN_MAINTENANCE_MS: '5000',
  CODE2ASIN_QUOTA_FLUSH_MS: '1000',
  CODE2ASIN_MIN_FREE_DISK_MB: '200',
  CODE2ASIN_CACHE_TTL_DAYS: '30',
  CODE2ASIN_ACCEPT_THRESHOLD: '0.8',
  CODE2ASIN_LOG_RETENTION_DAYS: '90',
  CODE2ASIN_UPLOAD_LIMIT_MB: '100',
  CODE2ASIN_WEBHOOK_ALLOW_PRIVATE: 'false',
};

type Parsed = { [K in VariableName]: z.output<(typeof VARIABLES)[K]['schema']> };

export interface Config {
  readonly databaseUrl: string;
  readonly host: string;
  readonly port: number;
  readonly secretKey: Buffer | undefined;
  /** The former secret key during a rotation: stored secrets are re-encrypted at start. */
  readonly previousSecretKey: Buffer | undefined;
  /** Bearer token made an admin token at start (instead of a generated one). */
  readonly adminToken: string | undefined;
  /** Origins allowed by CORS; empty = CORS off. `['*']` = any origin. */
  readonly corsOrigins: readonly string[];
  /** Public path prefix behind a reverse proxy (`/code2asin`), without a trailing slash; '' at the root. */
  readonly basePath: string;
  /** Proxies trusted to give the client's address (X-Forwarded-For): Fastify's `trustProxy`. */
  readonly trustProxy: TrustProxy;
  /** Bounds on wrong tokens (a valid token is never refused): per address, and over all. */
  readonly failedAuth: {
    readonly perAddressPerMinute: number;
    readonly perSecond: number;
  };
  readonly logLevel: Parsed['CODE2ASIN_LOG_LEVEL'];
  /**
   * The processes using this database share each credential's quota through `rate_limits`;
   * false = each process paces itself alone (one process per credential only).
   */
  readonly sharedRateLimit: boolean;
  /**
   * > 0: with burst ≥ 2, each live process holds a share of a credential's slots (issue 23);
   * a process that died gives its share back within this lease. 0: off, the per-request
   * schedule of `rate_limits`. Null (`auto`, the default): `shareLeaseFor` decides by database.
   */
  readonly shareLeaseMs: number | null;
  /** The quota dashboard's figures are written this often (and when the process stops). */
  readonly quotaFlushMs: number;
  /**
   * What the Amazon settings point at: Amazon itself, or the local emulator (`code2asin demo`,
   * the emulator's environment lines). Shown at start, in /health, on jobs and in result files.
   */
  readonly amazonSource: 'amazon' | 'emulator';
  readonly amazon: {
    readonly enabled: boolean;
    readonly provider: ProviderName;
    readonly marketplace: string;
    readonly associateTag: string | undefined;
    readonly creators: {
      readonly credentialId: string | undefined;
      readonly credentialSecret: string | undefined;
      readonly credentialVersion: CredentialVersion;
      readonly apiUrl: string;
      readonly tokenUrl: string | undefined;
    };
    readonly paapi: {
      readonly accessKey: string | undefined;
      readonly secretKey: string | undefined;
      readonly host: string | undefined;
      readonly region: string | undefined;
      readonly endpoint: string | undefined;
    };
    readonly spapi: {
      readonly clientId: string | undefined;
      readonly clientSecret: string | undefined;
      readonly refreshToken: string | undefined;
      readonly endpoint: string | undefined;
      readonly tokenUrl: string | undefined;
    };
    /** Keepa (a paid third-party service, no Associates tag): the key and the API's address. */
    readonly keepa: {
      readonly key: string | undefined;
      readonly apiUrl: string;
    };
    readonly tps: number;
    readonly burst: number;
    readonly tpd: number;
    readonly timeoutMs: number;
    /** AMAZON_CHAIN_RATES: the pace of providers a job chain asks besides the configured one. */
    readonly chainRates?: Readonly<Partial<Record<ProviderName, { tps: number; burst: number }>>>;
  };
  readonly jobs: {
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
  };
  /** Every secret value in this configuration, for the logger's redaction. */
  readonly secrets: readonly string[];
  /** Variables that were set in the environment (not defaulted): where a value came from. */
  readonly fromEnvironment: readonly VariableName[];
}

/**
 * Amazon settings: `Config['amazon']` (environment), or the same merged with the settings stored
 * through the HTTP API. `marketplace` is a domain or a country code (`www.amazon.fr`, `fr`).
 */
export type AmazonSettings = Omit<Config['amazon'], 'enabled'> & { readonly enabled?: boolean };

/** Decodes a 32-byte key given as hex or base64; null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t) || /^[A-Za-z0-9_-]{43}$/.test(t)) {
    const b = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (b.length === 32) return b;
  }
  return null;
}

/**
 * Reads the environment once into a frozen, typed, validated object.
 * Throws a ConfigError naming every bad variable, its problem and what is expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const values: Record<string, unknown> = {};
  const fromEnvironment: VariableName[] = [];
  for (const [name, spec] of Object.entries(VARIABLES) as [VariableName, VariableSpec][]) {
    if (env[name] !== undefined && env[name].trim() !== '') fromEnvironment.push(name);
    const raw = env[name] ?? DEFAULTS[name];
    if (raw === undefined) {
      values[name] = undefined;
      continue;
    }
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      values[name] = result.data;
    } else {
      const problem = result.error.issues.map((i) => i.message).join('; ');
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push({ variable: name, problem: `${shown} is ${problem}`, expected: spec.expected });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.variable}: ${p.problem}; expected ${p.expected}.`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`, problems);
  }
  const v = values as Parsed;
  const secretKey = v.CODE2ASIN_SECRET_KEY
    ? (decodeKey(v.CODE2ASIN_SECRET_KEY) ?? undefined)
    : undefined;
  const previousSecretKey = v.CODE2ASIN_PREVIOUS_SECRET_KEY
    ? (decodeKey(v.CODE2ASIN_PREVIOUS_SECRET_KEY) ?? undefined)
    : undefined;
  const secrets = [
    v.CODE2ASIN_SECRET_KEY,
    v.CODE2ASIN_PREVIOUS_SECRET_KEY,
    v.CODE2ASIN_ADMIN_TOKEN,
    v.AMAZON_CREATORS_CREDENTIAL_SECRET,
    v.AMAZON_PAAPI_SECRET_KEY,
    v.AMAZON_SPAPI_CLIENT_SECRET,
    v.AMAZON_SPAPI_REFRESH_TOKEN,
    v.AMAZON_KEEPA_KEY,
    v.CODE2ASIN_WEBHOOK_SECRET,
    passwordOf(v.DATABASE_URL),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return deepFreeze({
    databaseUrl: v.DATABASE_URL,
    host: v.CODE2ASIN_HOST,
    port: v.CODE2ASIN_PORT,
    secretKey,
    previousSecretKey,
    adminToken: v.CODE2ASIN_ADMIN_TOKEN,
    corsOrigins: v.CODE2ASIN_CORS_ORIGINS
      ? v.CODE2ASIN_CORS_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, ''))
      : [],
    trustProxy: v.CODE2ASIN_TRUST_PROXY,
    basePath: (v.CODE2ASIN_BASE_PATH ?? '').replace(/\/+$/, ''),
    failedAuth: {
      perAddressPerMinute: v.CODE2ASIN_AUTH_FAILURES_PER_MINUTE,
      perSecond: v.CODE2ASIN_AUTH_FAILURES_PER_SECOND,
    },
    logLevel: v.CODE2ASIN_LOG_LEVEL,
    sharedRateLimit: v.CODE2ASIN_SHARED_RATE_LIMIT,
    shareLeaseMs: v.CODE2ASIN_SHARE_LEASE_MS,
    quotaFlushMs: v.CODE2ASIN_QUOTA_FLUSH_MS,
    amazonSource: v.CODE2ASIN_AMAZON_SOURCE,
    amazon: {
      enabled: v.AMAZON_PAAPI_ENABLED,
      provider: v.AMAZON_PROVIDER,
      marketplace: v.AMAZON_MARKETPLACE,
      associateTag: v.AMAZON_ASSOCIATE_TAG,
      creators: {
        credentialId: v.AMAZON_CREATORS_CREDENTIAL_ID,
        credentialSecret: v.AMAZON_CREATORS_CREDENTIAL_SECRET,
        credentialVersion: v.AMAZON_CREATORS_CREDENTIAL_VERSION,
        apiUrl: v.AMAZON_CREATORS_API_URL,
        tokenUrl: v.AMAZON_CREATORS_TOKEN_URL,
      },
      paapi: {
        accessKey: v.AMAZON_PAAPI_ACCESS_KEY,
        secretKey: v.AMAZON_PAAPI_SECRET_KEY,
        host: v.AMAZON_PAAPI_HOST,
        region: v.AMAZON_PAAPI_REGION,
        endpoint: v.AMAZON_PAAPI_ENDPOINT,
      },
      spapi: {
        clientId: v.AMAZON_SPAPI_CLIENT_ID,
        clientSecret: v.AMAZON_SPAPI_CLIENT_SECRET,
        refreshToken: v.AMAZON_SPAPI_REFRESH_TOKEN,
        endpoint: v.AMAZON_SPAPI_ENDPOINT,
        tokenUrl: v.AMAZON_SPAPI_TOKEN_URL,
      },
      keepa: { key: v.AMAZON_KEEPA_KEY, apiUrl: v.AMAZON_KEEPA_API_URL },
      ...rateOf(v, fromEnvironment),
      chainRates: v.AMAZON_CHAIN_RATES,
      tpd: v.AMAZON_TPD,
      timeoutMs: v.AMAZON_TIMEOUT_MS,
    },
    jobs: {
      worker: v.CODE2ASIN_WORKER,
      concurrency: v.CODE2ASIN_WORKER_CONCURRENCY,
      ingestThreads: v.CODE2ASIN_INGEST_THREADS,
      ingestQueue: v.CODE2ASIN_INGEST_QUEUE,
      leaseMs: v.CODE2ASIN_LEASE_MS,
      maintenanceMs: v.CODE2ASIN_MAINTENANCE_MS,
      minFreeDiskMb: v.CODE2ASIN_MIN_FREE_DISK_MB,
      cacheTtlDays: v.CODE2ASIN_CACHE_TTL_DAYS,
      acceptThreshold: v.CODE2ASIN_ACCEPT_THRESHOLD,
      logRetentionDays: v.CODE2ASIN_LOG_RETENTION_DAYS,
      uploadLimitBytes: Math.round(v.CODE2ASIN_UPLOAD_LIMIT_MB * 1024 * 1024),
      webhookUrl: v.CODE2ASIN_WEBHOOK_URL,
      webhookSecret: v.CODE2ASIN_WEBHOOK_SECRET,
      webhookAllowPrivate: v.CODE2ASIN_WEBHOOK_ALLOW_PRIVATE,
      imageDir: v.CODE2ASIN_IMAGE_DIR,
    },
    secrets,
    fromEnvironment,
  });
}

/**
 * AMAZON_TPS / AMAZON_BURST, or the provider's published quota when they are not set (SP-API
 * Catalog Items: 2 requests/s, burst 2; the others 1/1).
 */
function rateOf(
  v: Parsed,
  fromEnvironment: readonly VariableName[],
): { tps: number; burst: number } {
  const own = PROVIDER_RATE_DEFAULTS[v.AMAZON_PROVIDER];
  return {
    tps: fromEnvironment.includes('AMAZON_TPS') ? v.AMAZON_TPS : (own?.tps ?? v.AMAZON_TPS),
    burst: fromEnvironment.includes('AMAZON_BURST')
      ? v.AMAZON_BURST
      : (own?.burst ?? v.AMAZON_BURST),
  };
}

function passwordOf(url: string): string | undefined {
  if (!/^postgres/.test(url)) return undefined;
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
