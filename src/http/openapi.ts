import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { packageVersion } from '../config/package-version.js';
import { ERROR_RESPONSE_SCHEMA } from './http-error.js';

/** Where the OpenAPI document and its viewer are served (both public). */
export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/** One registered route, as recorded for the OpenAPI completeness check. */
export interface RegisteredRoute {
  method: HTTPMethods;
  url: string;
  /** Hidden from the document on purpose (the docs' own files, the document itself). */
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on the app (one entry per method). */
    registeredRoutes(): readonly RegisteredRoute[];
  }
}

/**
 * Registers the OpenAPI 3 generator (before any route: it collects them as they are added), the
 * shared ErrorResponse schema, Swagger UI at /api/docs and the document at /api/openapi.json.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', () => routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    for (const method of methods) routes.push({ method, url: route.url, hidden });
  });
  app.addSchema(ERROR_RESPONSE_SCHEMA);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'code2asin API',
        version: packageVersion(),
        description:
          'Maps barcodes (EAN/UPC/ISBN/GTIN) to Amazon ASINs. Every /api/v1 route needs `Authorization: Bearer <token>`; errors answer `{error: {code, message, details}}`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token from `code2asin tokens create` (shown once).',
          },
        },
      },
      tags: [{ name: 'amazon', description: 'Amazon settings and product lookups' }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH, staticCSP: true });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
