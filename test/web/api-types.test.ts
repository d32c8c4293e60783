import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { API_TYPES_PATH, generateApiTypes } from '../../scripts/web-api-types.js';

it('the UI API types match the OpenAPI document (else run `npm run web:api`)', async () => {
  const stored = readFileSync(new URL(`../../${API_TYPES_PATH}`, import.meta.url), 'utf8');
  const fresh = await generateApiTypes();
  assert.ok(stored === fresh, `${API_TYPES_PATH} is stale: run \`npm run web:api\` and commit it`);
});
