// The UI's API types, generated from the service's own OpenAPI document, so the UI cannot drift
// from the API: `npm run web:api` writes them, test/web/api-types.test.ts fails when stale.
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config/env.js';
import { openDatabase } from '../src/db/database.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logging/logger.js';

/** Where the generated types live (relative to the repository root). */
export const API_TYPES_PATH = 'src/web/api/schema.d.ts';

const HEADER =
  '// Generated from the OpenAPI document by `npm run web:api`; do not edit.\n// test/web/api-types.test.ts fails when this file is stale.\n';

/** The OpenAPI document as `serve` publishes it at /api/openapi.json. */
export async function openApiDocument(): Promise<unknown> {
  const database = openDatabase('sqlite::memory:');
  const app = await buildApp({
    database,
    logger: createLogger({ level: 'silent', secrets: [] }),
    config: loadConfig({}),
    secretKey: Buffer.alloc(32, 1),
  });
  try {
    await app.ready();
    // A round trip through JSON: exactly what a client downloads.
    return JSON.parse(JSON.stringify(app.swagger()));
  } finally {
    await app.close();
    await database.close();
  }
}

/** The TypeScript text of the API types. */
export async function generateApiTypes(): Promise<string> {
  const document = (await openApiDocument()) as Parameters<typeof openapiTS>[0];
  const ast = await openapiTS(document, { alphabetize: true });
  return HEADER + astToString(ast);
}
