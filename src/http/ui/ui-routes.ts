import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/env.js';
import { uiContentSecurityPolicy } from './content-security-policy.js';

/** The built UI (`npm run web:build`, run by `prepare`): the same place from src/ and dist/. */
export const UI_ROOT = fileURLToPath(new URL('../../../src/web/dist/', import.meta.url));

/** Paths the UI does not own: they keep their JSON 404. */
const SERVER_PREFIXES = ['/api/', '/api', '/health'];
const ONE_YEAR = 'public, max-age=31536000, immutable';

function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * Serves the web UI at `/`: the built files (brotli/gzip copies when the browser takes them),
 * hashed assets cached for a year, `index.html` never cached, and every other path that is not
 * the API's answered with `index.html` (the UI's own routes: `/jobs/…`, `/review/…`). Each UI
 * answer carries the UI's strict Content-Security-Policy.
 */
export async function registerUi(app: FastifyInstance, config: Config, root = UI_ROOT) {
  const csp = uiContentSecurityPolicy(config);
  const built = existsSync(`${root}/index.html`);
  const indexHtml = built
    ? pageUnder(readFileSync(`${root}/index.html`, 'utf8'), config.basePath)
    : '';
  if (!built) {
    app.log.warn({ root }, 'web UI not built: run `npm run web:build`');
  } else {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      serve: true,
      setHeaders(reply, path) {
        reply.header('cache-control', path.includes('/assets/') ? ONE_YEAR : 'no-cache');
      },
    });
  }
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isServerPath(request.url.split('?')[0] ?? '/')) setUiHeaders(reply, csp);
    return payload;
  });
  const sendIndex = (reply: FastifyReply) => {
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web UI is not built: run `npm run web:build`, then reload.');
    }
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(indexHtml);
  };
  app.get('/', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // A missing asset or an API path is a real 404, not the UI.
    if (isServerPath(path) || path.startsWith('/assets/')) return reply.callNotFound();
    return sendIndex(reply);
  });
}

function setUiHeaders(reply: FastifyReply, csp: string): void {
  reply.header('content-security-policy', csp);
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

/**
 * `index.html` for the public base path: the build refers to its files relatively (`./assets/…`,
 * Vite's `base: './'`), which would break on a deep route such as `/code2asin/jobs/7`, so each
 * reference is made absolute under the base; a `<meta name="code2asin-base">` tells the UI the
 * prefix of its routes and API calls (a meta tag, since the CSP forbids inline scripts).
 */
export function pageUnder(html: string, basePath: string): string {
  const base = basePath.replace(/[^A-Za-z0-9/._~-]/g, '');
  return html
    .replace(/(src|href)="\.\//g, `$1="${base}/`)
    .replace('<head>', `<head>\n    <meta name="code2asin-base" content="${base}" />`);
}
