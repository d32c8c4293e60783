import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { registerCreateRoute } from './create-route.js';
import { registerDecisionRoutes } from './decision-routes.js';
import { registerDownloadRoutes } from './download-routes.js';
import { registerEventRoutes } from './events.js';
import { createImageProxy } from './image-proxy.js';
import { registerImageRoute } from './image-route.js';
import { registerJobErrorsRoute } from './job-errors-route.js';
import { registerProgressRoute } from './progress-route.js';
import { registerJobRoutes } from './job-routes.js';
import { registerResultRoutes } from './result-routes.js';
import { registerRowRoutes } from './row-routes.js';
import { registerRuleRoutes } from './rule-routes.js';
import { registerSimilarRoute } from './similar-route.js';
import { registerStatisticsRoutes } from './statistics-routes.js';

import type { JobsRouteDeps } from './route-deps.js';

export type { JobsRouteDeps };

/**
 * The `/api/v1/code2asin` router: jobs (list, create by upload or JSON, detail, lifecycle,
 * delete), results (list, manual choice, download), logs, events and statistics. Every route
 * sees only the caller's jobs (all of them for an admin); another owner's job answers 404.
 */
export function createJobsRouter(deps: JobsRouteDeps): FastifyPluginAsync {
  return async (app) => {
    // Scoped to this router: only POST /jobs reads multipart bodies, part by part.
    await app.register(multipart, {
      limits: { fileSize: deps.config.jobs.uploadLimitBytes, files: 1 },
    });
    registerJobRoutes(app, deps);
    registerCreateRoute(app, deps);
    registerResultRoutes(app, deps);
    registerRowRoutes(app, deps);
    registerJobErrorsRoute(app, deps);
    registerProgressRoute(app, deps);
    registerDecisionRoutes(app, deps);
    registerSimilarRoute(app, deps);
    registerRuleRoutes(app, deps);
    registerDownloadRoutes(app, deps);
    registerEventRoutes(app, deps);
    registerImageRoute(app, {
      ...deps,
      images:
        deps.images ??
        createImageProxy({
          policy: async () => ({ purpose: 'image URL', allowedHosts: [] }),
        }),
    });
    registerStatisticsRoutes(app, deps.jobs.database.db);
  };
}
