import { z } from 'zod';
import { decodeKey, optionalText, type ParsedOf, type VariableSpec } from './env-schemas.js';
import { trustProxySchema } from './trust-proxy.js';

/** The database, the HTTP server, its tokens and its logs. */
export const SERVER_VARIABLES = {
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
} satisfies Record<string, VariableSpec>;

export const SERVER_DEFAULTS: Partial<Record<keyof typeof SERVER_VARIABLES, string>> = {
  DATABASE_URL: 'sqlite:./data/code2asin.db',
  CODE2ASIN_HOST: '127.0.0.1',
  CODE2ASIN_PORT: '8080',
  CODE2ASIN_TRUST_PROXY: 'false',
  CODE2ASIN_AUTH_FAILURES_PER_MINUTE: '10',
  CODE2ASIN_AUTH_FAILURES_PER_SECOND: '10',
  CODE2ASIN_LOG_LEVEL: 'info',
};

export type ServerParsed = ParsedOf<typeof SERVER_VARIABLES>;
