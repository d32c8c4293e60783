import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { packageVersion } from '../cli/version.js';

export interface AppDependencies {
  database: Database;
  logger: Logger;
}

/** Builds the HTTP app; tests drive it with `app.inject`. Listening is `server.ts`'s job. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: false,
    genReqId: () => crypto.randomUUID(),
  });

  app.get('/health', async (_request, reply) => {
    let dbOk = true;
    try {
      await deps.database.db.selectFrom('code2asin_jobs').select('id').limit(1).execute();
    } catch {
      dbOk = false;
    }
    reply.code(dbOk ? 200 : 503);
    return { status: dbOk ? 'ok' : 'degraded', db: deps.database.kind, version: packageVersion() };
  });

  return app;
}
