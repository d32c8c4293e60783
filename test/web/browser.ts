import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, headless, as CI installs it (`.ci/run`). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A 1×1 grey PNG: what every non-loopback request (product images) gets instead. */
const PLACEHOLDER = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mN8+P9/PQAJYwPQ4hqPKAAAAABJRU5ErkJggg==',
  'base64',
);

/** What a page reported that a test must not see: console errors (CSP included), failures. */
export interface PageProblems {
  console: string[];
  failed: string[];
}

/**
 * A page that never reaches outside the machine (images of Amazon hosts answered locally) and
 * records console errors, uncaught errors and failed requests.
 */
export async function watchedPage(
  context: BrowserContext,
): Promise<{ page: Page; problems: PageProblems }> {
  const problems: PageProblems = { console: [], failed: [] };
  await context.route(
    (url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname),
    (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PLACEHOLDER }),
  );
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.console.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Not failures of the app: a stream the page closes on purpose, and an image or a read the
    // browser stopped because the page moved on (a reload, the next result shown, a newer read of
    // the same list superseding it — how often depends on the machine's speed). An aborted write
    // still counts.
    const abandoned =
      r.failure()?.errorText === 'net::ERR_ABORTED' &&
      (r.resourceType() === 'image' || r.method() === 'GET');
    if (r.url().endsWith('/events') || abandoned) return;
    problems.failed.push(`${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('dialog', (d) => {
    problems.console.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

/** Serious or critical accessibility violations of the current screen (axe-core). */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
