// Writes the UI's API types (src/web/api/schema.d.ts) from the OpenAPI document.
import { writeFileSync } from 'node:fs';
import { API_TYPES_PATH, generateApiTypes } from './web-api-types.js';

writeFileSync(new URL(`../${API_TYPES_PATH}`, import.meta.url), await generateApiTypes());
process.stdout.write(`wrote ${API_TYPES_PATH}\n`);
