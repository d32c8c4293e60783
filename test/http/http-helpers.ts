import type { FastifyInstance, InjectOptions } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/env.js';
import type { Database } from '../../src/db/database.js';
import type { AmazonClients } from '../../src/amazon/amazon-clients.js';
import { buildApp } from '../../src/http/app.js';
import type { IngestionPool } from '../../src/jobs/ingestion-pool.js';
import type { OutboundClient } from '../../src/net/outbound-request.js';
import type { FailedAuthLimits } from '../../src/http/auth/failed-auth-limiter.js';
import { createToken, type Scope } from '../../src/http/auth/token-repository.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';

/** A fixed 32-byte key, for tests that restart the app on the same database. */
export const TEST_KEY = Buffer.alloc(32, 7);

/** An app on a test database, its captured logs, and tokens to call it with. */
export interface TestApp {
  app: FastifyInstance;
  logs: ReturnType<typeof createCapturingLogger>;
  /** An admin token (owner `admin`). */
  admin: string;
  /** A new token for `owner` with `scopes`. */
  tokenFor(owner: string, scopes: Scope[]): Promise<string>;
  /** `app.inject` with `Authorization: Bearer <token>` (admin by default). */
  call(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  secretKey?: Buffer;
  previousSecretKey?: Buffer;
  amazonClients?: AmazonClients;
  failedAuthLimits?: Partial<FailedAuthLimits>;
  ingestion?: IngestionPool;
  /** The guarded client of review thumbnails (an injected resolver and connector). */
  imageOutbound?: OutboundClient;
}

export async function createTestApp(
  database: Database,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const logs = createCapturingLogger({ level: 'trace' });
  const app = await buildApp({
    database,
    logger: logs.logger,
    config: loadConfig({ ...options.env }),
    secretKey: options.secretKey ?? TEST_KEY,
    previousSecretKey: options.previousSecretKey,
    amazonClients: options.amazonClients,
    failedAuthLimits: options.failedAuthLimits,
    ingestion: options.ingestion,
    imageOutbound: options.imageOutbound,
  });
  const tokenFor = async (owner: string, scopes: Scope[]) =>
    (await createToken(database.db, { name: `${owner} test`, owner, scopes })).token;
  const admin = await tokenFor('admin', ['admin']);
  return {
    app,
    logs,
    admin,
    tokenFor,
    call: ({ token, headers, ...rest }) =>
      app.inject({
        ...rest,
        headers: {
          ...headers,
          ...(token === null ? {} : { authorization: `Bearer ${token ?? admin}` }),
        },
      }),
    close: () => app.close(),
  };
}

/** The error body of an answer. */
export function errorOf(res: LightMyRequestResponse): {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  const body = res.json() as {
    error?: { code: string; message: string; details: Record<string, unknown> };
  };
  if (!body.error) throw new Error(`not an error answer: ${res.statusCode} ${res.body}`);
  return body.error;
}
