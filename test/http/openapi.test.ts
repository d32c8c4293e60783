import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp } from './http-helpers.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every `$ref` string anywhere in the document. */
function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsOf(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

function hasExample(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasExample);
  if (!value || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([k, v]) => k === 'example' || k === 'examples' || hasExample(v),
  );
}

forEachDatabase('OpenAPI document', (ctx) => {
  it('is a structurally valid OpenAPI 3 document listing every registered route', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const res = await t.call({ method: 'GET', url: '/api/openapi.json', token: null });
      assert.equal(res.statusCode, 200);
      const doc = res.json() as Json & {
        paths: Record<string, Record<string, Json>>;
        components: Json;
      };
      assert.match(String(doc.openapi), /^3\.\d+\.\d+$/);
      assert.equal((doc.info as Json).title, 'code2asin API');
      assert.ok((doc.components.securitySchemes as Json).bearerAuth);

      const documented = new Set<string>();
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          if (!METHODS.includes(method)) continue;
          documented.add(`${method.toUpperCase()} ${path}`);
          const where = `${method.toUpperCase()} ${path}`;
          assert.ok(
            op.summary && Array.isArray(op.tags) && (op.tags as unknown[]).length > 0,
            `${where}: summary and tags`,
          );
          const responses = op.responses as Record<string, Json>;
          assert.ok(
            Object.keys(responses).some((c) => /^2/.test(c)),
            `${where}: a 2xx answer`,
          );
          for (const [code, r] of Object.entries(responses)) {
            assert.ok(
              typeof r.description === 'string' && r.description !== '',
              `${where} ${code}: description`,
            );
          }
          assert.ok(hasExample(op), `${where}: examples`);
          const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          const declared = ((op.parameters as Json[] | undefined) ?? [])
            .filter((p) => p.in === 'path')
            .map((p) => p.name);
          assert.deepEqual(declared.sort(), pathParams.sort(), `${where}: path parameters`);
          // The UI's sign-in is public by design: it is where a token becomes a session.
          if (path.startsWith('/api/') && path !== '/api/v1/session') {
            assert.deepEqual(op.security, [{ bearerAuth: [] }], `${where}: security`);
            assert.ok(responses['401'] && responses['403'], `${where}: 401 and 403`);
          }
        }
      }

      const schemas = (doc.components.schemas ?? {}) as Json;
      for (const ref of refsOf(doc)) {
        const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
        assert.ok(m?.[1] && schemas[m[1]], `unresolved $ref ${ref}`);
      }
      assert.ok(schemas.ErrorResponse, 'the shared error schema');

      const registered = t.app
        .registeredRoutes()
        .filter((r) => !r.hidden && r.method !== 'HEAD' && r.method !== 'OPTIONS')
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
      assert.ok(registered.length >= 7, registered.join(', '));
      for (const route of registered)
        assert.ok(documented.has(route), `${route} is not documented`);
      for (const op of documented)
        assert.ok(registered.includes(op), `${op} is documented but not served`);
    } finally {
      await t.close();
    }
  });

  it('serves Swagger UI at /api/docs without a token', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const res = await t.call({ method: 'GET', url: '/api/docs', token: null });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Swagger UI/);
      const css = await t.call({
        method: 'GET',
        url: '/api/docs/static/swagger-ui.css',
        token: null,
      });
      assert.equal(css.statusCode, 200);
    } finally {
      await t.close();
    }
  });
});
