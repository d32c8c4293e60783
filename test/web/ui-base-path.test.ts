import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, seriousAxeViolations, watchedPage } from './browser.js';
import { createJob, reviewFile, startUiServer, waitForJob, type UiServer } from './ui-harness.js';

const BASE = '/code2asin';

/**
 * A reverse proxy as nginx's `location /code2asin/ { proxy_pass http://service/; }`: only the
 * prefix is forwarded, without it; anything else is the proxy's own 404. Records every path asked.
 */
async function startStrippingProxy(
  target: string,
): Promise<{ url: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    if (path !== BASE && !path.startsWith(`${BASE}/`) && !path.startsWith(`${BASE}?`)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not behind this proxy');
      return;
    }
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: path.slice(BASE.length) || '/',
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths, server };
}

describe('web UI under a base path behind a reverse proxy (CODE2ASIN_BASE_PATH=/code2asin)', () => {
  let ui: UiServer;
  let browser: Browser;
  let proxy: Awaited<ReturnType<typeof startStrippingProxy>>;
  let jobId: string;
  before(async () => {
    ui = await startUiServer({ CODE2ASIN_BASE_PATH: BASE });
    proxy = await startStrippingProxy(ui.url);
    browser = await launchChromium();
    jobId = await createJob(ui, 'Fournisseur proxy', reviewFile(ui.emu, 12));
    await waitForJob(ui, jobId);
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await ui?.close();
  });

  it('assets, routes, links, API calls, uploads and the event stream all carry the prefix', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Generous waits for visible state: the machine may be heavily loaded.
    context.setDefaultTimeout(120_000);
    const { page, problems } = await watchedPage(context);
    const site = `${proxy.url}${BASE}`;
    await page.goto(`${site}/jobs/${jobId}`);
    await page.getByLabel('API token').fill(ui.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Fournisseur proxy/ }).waitFor();
    assert.equal(new URL(page.url()).pathname, `${BASE}/jobs/${jobId}`, 'back where the user was');
    const cookies = await context.cookies();
    assert.deepEqual(
      cookies.map((c) => [c.name, c.path, c.httpOnly]),
      [['c2a_session', BASE, true]],
      'the session cookie is scoped to the base path, not to every application of the host',
    );
    assert.deepEqual(await seriousAxeViolations(page), []);

    // A link in the page, the back button and a reload of a deep route.
    const rulesLink = page.getByRole('link', { name: 'Rules' });
    assert.equal(await rulesLink.getAttribute('href'), `${BASE}/rules`);
    await rulesLink.click();
    await page.getByRole('heading', { name: 'Matching rules' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `${BASE}/rules`);
    await page.goBack();
    await page.getByRole('heading', { name: /Fournisseur proxy/ }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: /Fournisseur proxy/ }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const file = await download;
    assert.equal(new URL(file.url()).pathname, `${BASE}/api/v1/code2asin/jobs/${jobId}/download`);
    assert.match(await file.failure().then((f) => f ?? 'ok'), /^ok$/);

    // The wizard's upload (XMLHttpRequest) and the live job page (EventSource).
    await page.getByRole('link', { name: 'New job' }).first().click();
    await page.getByRole('heading', { name: 'New job' }).waitFor();
    const codes = (ui.emu.catalog.truth ?? []).filter((t) => t.case === 'exact_unique').slice(0, 3);
    await page.getByLabel(/Supplier file/).setInputFiles({
      name: 'sous-chemin.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`EAN\n${codes.map((c) => c.code).join('\n')}\n`),
    });
    await page.getByRole('heading', { name: 'Preview of sous-chemin.csv' }).waitFor();
    // Kept for later: the job page of a pending job listens to its event stream until the end.
    const events = page.waitForRequest((r) => r.url().endsWith('/events'), { timeout: 120_000 });
    await page.getByRole('button', { name: 'Keep it and start later' }).click();
    await page.getByRole('heading', { name: /sous-chemin/ }).waitFor();
    const stream = new URL((await events).url()).pathname;
    assert.match(stream, new RegExp(`^${BASE}/api/v1/code2asin/jobs/[^/]+/events$`));
    await page.getByRole('button', { name: 'Start sous-chemin' }).click();
    await page.locator('h1 .badge').getByText('Completed').waitFor({ timeout: 600_000 });
    assert.match(new URL(page.url()).pathname, new RegExp(`^${BASE}/jobs/[^/]+$`));

    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.failed, []);
    const outside = proxy.paths.filter((p) => !p.startsWith(`${BASE}/`));
    assert.deepEqual(outside, [], 'every request went through the prefix');
    for (const kind of ['/assets/', '/api/v1/session', '/api/v1/code2asin/jobs/']) {
      assert.ok(
        proxy.paths.some((p) => p.startsWith(BASE) && p.includes(kind)),
        `a request for ${kind} under the prefix`,
      );
    }
    await context.close();
  });

  it('a proxy that keeps the prefix reaches the same routes; index.html refers under the base', async () => {
    const page = await fetch(`${ui.url}${BASE}/jobs/${jobId}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<meta name="code2asin-base" content="\/code2asin"/);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length >= 3);
    for (const ref of refs) assert.ok(ref.startsWith(`${BASE}/`), `${ref} is under the base`);
    const health = await fetch(`${ui.url}${BASE}/health`);
    assert.equal(health.status, 200);
    const api = await fetch(`${ui.url}${BASE}/api/v1/code2asin/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${ui.adminToken}` },
    });
    assert.equal(((await api.json()) as { id: string }).id, jobId);
    const asset = refs.find((r) => r.endsWith('.js'))!;
    assert.equal((await fetch(`${ui.url}${asset}`)).status, 200);
  });
});
