import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { loadConfig, type Config } from '../config/env.js';
import type { TrustProxy } from '../config/trust-proxy.js';
import type { Database } from '../db/database.js';
import type { JobsContext } from '../jobs/context.js';
import type { IngestionPool } from '../jobs/ingestion-pool.js';
import { createJobsContext } from '../jobs/jobs-runtime.js';
import { imagePolicy } from '../jobs/image-policy.js';
import type { OutboundClient } from '../net/outbound-request.js';
import type { Logger } from '../logging/logger.js';
import { amazonReadiness } from '../amazon/readiness.js';
import { loadAmazonSettings } from '../config/effective-amazon-settings.js';
import { createAmazonClients, type AmazonClients } from '../amazon/amazon-clients.js';
import { createAmazonRouter } from './amazon/amazon-router.js';
import { createImageProxy } from './jobs/image-proxy.js';
import { createJobsRouter } from './jobs/jobs-router.js';
import { createFailedAuthLimiter, type FailedAuthLimits } from './auth/failed-auth-limiter.js';
import { registerAuth } from './auth/register-auth.js';
import { bearerHasScope } from './auth/bearer-scope.js';
import { registerSessionRoutes } from './auth/session-routes.js';
import { registerTokenRoutes } from './auth/token-routes.js';
import { createSessionCodec } from './auth/web-sessions.js';
import { registerErrorHandling } from './errors.js';
import { registerHealthRoute } from './health-route.js';
import { registerOpenApi } from './openapi.js';
import { registerUi } from './ui/ui-routes.js';

export interface AppDependencies {
  database: Database;
  logger: Logger;
  /** The environment's configuration (Amazon settings under the stored ones, CORS origins); default: no environment. */
  config?: Config;
  /**
   * Key that encrypts stored secrets (`resolveSecretKey`). Without it a random key lives for this
   * app only: secrets stored then cannot be read after a restart (fine for tests only).
   */
  secretKey?: Buffer;
  /** The former key during a rotation: stored secrets it opens are still readable. */
  previousSecretKey?: Buffer;
  /** Amazon clients and per-credential limiters; share one instance with the worker. */
  amazonClients?: AmazonClients;
  /** The jobs module of the process (the Code2ASIN routes); built from `database` when absent. */
  jobs?: JobsContext;
  /** Where uploads and JSON codes are ingested; on this event loop when absent. */
  ingestion?: IngestionPool;
  /** The guarded client of review thumbnails (tests inject a resolver and connector). */
  imageOutbound?: OutboundClient;
  /** Overrides the configured bounds on wrong tokens (tests: small limits, a manual clock). */
  failedAuthLimits?: Partial<FailedAuthLimits>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The caller's `x-request-id` when it is a sane id, else a new UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify's `trustProxy`; a hop count as the function proxy-addr builds for it (the types lack numbers). */
function fastifyTrustProxy(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return Array.isArray(trust) ? [...trust] : trust;
}

/** `/code2asin/jobs?x` → `/jobs?x`: a request that kept the public prefix reaches the same route. */
export function stripBasePath(basePath: string): (request: IncomingMessage) => string {
  return (request) => {
    const url = request.url ?? '/';
    if (url === basePath || url.startsWith(`${basePath}?`)) return `/${url.slice(basePath.length)}`;
    return url.startsWith(`${basePath}/`) ? url.slice(basePath.length) : url;
  };
}

/** Builds the HTTP app; tests drive it with `app.inject`. Listening is `server.ts`'s job. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const config = deps.config ?? loadConfig({});
  if (!deps.secretKey) {
    deps.logger.warn('buildApp without secretKey: stored secrets will not survive this app');
  }
  const secretKey = deps.secretKey ?? randomBytes(32);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: requestId,
    // request.ip (the failed-authentication limiter's key) is read through these proxies only.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Unknown fields are reported (400 naming the field), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // Behind a proxy that keeps the public prefix (CODE2ASIN_BASE_PATH), the routes are the same.
    ...(config.basePath ? { rewriteUrl: stripBasePath(config.basePath) } : {}),
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  await app.register(helmet, { global: true });
  if (config.corsOrigins.length > 0) {
    const origins = config.corsOrigins;
    await app.register(cors, {
      origin: origins.includes('*') ? '*' : [...origins],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    });
  }
  await registerOpenApi(app);
  const auth = {
    db: deps.database.db,
    failures: createFailedAuthLimiter({
      maxFailures: config.failedAuth.perAddressPerMinute,
      maxGlobalFailuresPerSecond: config.failedAuth.perSecond,
      ...deps.failedAuthLimits,
    }),
    sessions: createSessionCodec(secretKey),
  };
  registerAuth(app, auth);
  registerSessionRoutes(app, {
    ...auth,
    uploadLimitBytes: config.jobs.uploadLimitBytes,
    basePath: config.basePath,
  });
  registerTokenRoutes(app, { db: deps.database.db });

  const keys = { current: secretKey, previous: deps.previousSecretKey };
  const currentAmazonSettings = async () =>
    (
      await loadAmazonSettings(deps.database.db, config, keys).catch(() => ({
        settings: config.amazon,
      }))
    ).settings;
  const amazonHealth = async () => {
    const settings = await currentAmazonSettings();
    const r = amazonReadiness(settings, config.amazonSource);
    return {
      provider: r.provider,
      source: r.source,
      ready: r.ready,
      missing: r.missing.map((m) => m.variable),
    };
  };

  registerHealthRoute(app, {
    database: deps.database,
    config,
    amazon: amazonHealth,
    showsWorkers: (request) => bearerHasScope(auth, request, 'read'),
  });

  const amazon = createAmazonRouter({
    db: deps.database.db,
    config,
    keys,
    clients: deps.amazonClients ?? createAmazonClients({ clientDeps: { logger: deps.logger } }),
  });
  await app.register(amazon, { prefix: '/api/v1/amazon' });
  let jobs = deps.jobs;
  if (!jobs) {
    // An app without its process (tests): the jobs context every process builds, ended with it.
    const own = createJobsContext({
      config,
      database: deps.database,
      logger: deps.logger,
      secretKey,
    });
    app.addHook('onClose', () => own.drain());
    jobs = own.ctx;
  }
  const images = createImageProxy({
    outbound: deps.imageOutbound,
    // The stored settings over the environment's: their endpoints' origins are image sources too.
    policy: async () => imagePolicy(await currentAmazonSettings()),
  });
  await app.register(createJobsRouter({ jobs, config, ingestion: deps.ingestion, images }), {
    prefix: '/api/v1/code2asin',
  });
  await registerUi(app, config);

  return app;
}
