import { ConfigError, type ConfigProblem } from './errors.js';
import {
  AMAZON_DEFAULTS,
  AMAZON_VARIABLES,
  amazonConfig,
  type AmazonConfig,
} from './env-amazon.js';
import { JOBS_DEFAULTS, JOBS_VARIABLES, jobsConfig, type JobsConfig } from './env-jobs.js';
import { decodeKey, type ParsedOf, type VariableSpec } from './env-schemas.js';
import { SERVER_DEFAULTS, SERVER_VARIABLES } from './env-server.js';
import type { TrustProxy } from './trust-proxy.js';

export { CREDENTIAL_VERSIONS, type CredentialVersion } from './env-amazon.js';
export { decodeKey } from './env-schemas.js';

/**
 * Every variable, by area (`env-server.ts`, `env-amazon.ts`, `env-jobs.ts`), in the order of the
 * README configuration table.
 */
export const VARIABLES = {
  ...SERVER_VARIABLES,
  ...AMAZON_VARIABLES,
  ...JOBS_VARIABLES,
} satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;

/** Defaults, shown in the README table. */
export const DEFAULTS: Partial<Record<VariableName, string>> = {
  ...SERVER_DEFAULTS,
  ...AMAZON_DEFAULTS,
  ...JOBS_DEFAULTS,
};

type Parsed = ParsedOf<typeof VARIABLES>;

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
  readonly amazon: AmazonConfig;
  readonly jobs: JobsConfig;
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
    amazon: amazonConfig(v, fromEnvironment),
    jobs: jobsConfig(v),
    secrets,
    fromEnvironment,
  });
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
