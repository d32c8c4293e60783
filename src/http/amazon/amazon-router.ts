import type { FastifyPluginAsync } from 'fastify';
import { registerConfigRoutes, type AmazonRouteDeps } from './config-routes.js';
import { registerProductRoutes } from './product-routes.js';
import { registerQuotaRoutes } from './quota-routes.js';

export type { AmazonRouteDeps } from './config-routes.js';

/** The `/api/v1/amazon` router: settings, connection test and the three product routes. */
export function createAmazonRouter(deps: AmazonRouteDeps): FastifyPluginAsync {
  return async (app) => {
    await registerConfigRoutes(app, deps);
    await registerProductRoutes(app, deps);
    await registerQuotaRoutes(app, deps);
  };
}
