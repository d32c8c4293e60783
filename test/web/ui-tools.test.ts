import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createDatabaseQuotaStore } from '../../src/db/quota-store.js';
import { launchChromium, seriousAxeViolations, watchedPage, type PageProblems } from './browser.js';
import { createJob, reviewFile, startUiServer, waitForJob, type UiServer } from './ui-harness.js';

describe('token, lookup, chart and quota screens in Chromium (SQLite, emulator)', () => {
  let ui: UiServer;
  let browser: Browser;
  let jobId: string;
  const api = async (path: string, token = ui.adminToken) => {
    const res = await fetch(`${ui.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  before(async () => {
    ui = await startUiServer();
    browser = await launchChromium();
    jobId = await createJob(ui, 'Fournisseur avril', reviewFile(ui.emu, 40));
    await waitForJob(ui, jobId);
    // Another provider's credential in use through this database (another job, another process).
    const store = createDatabaseQuotaStore(ui.server.database);
    store.request({ key: 'keepa:other', provider: 'keepa', credential: '…wxyz', tps: 1, tpd: 100 });
    await store.close();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });
  async function signedIn(path: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
    // Generous waits for visible state: the machine may be heavily loaded.
    context.setDefaultTimeout(120_000);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}${path}`);
    await page.getByLabel('API token').fill(ui.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { context, page, problems };
  }
  async function assertClean(page: Page, problems: PageProblems, screen: string) {
    assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${screen}`);
    assert.deepEqual(problems.console, [], `console errors on ${screen}`);
    assert.deepEqual(problems.failed, [], `failed requests on ${screen}`);
  }

  it('the job page charts the outcomes with the API’s totals; quotas as the API counts them', async () => {
    const { context, page, problems } = await signedIn(`/jobs/${jobId}`);
    await page.getByRole('heading', { name: /Fournisseur avril/ }).waitFor();
    const job = (await api(`/api/v1/code2asin/jobs/${jobId}`)).body as {
      counters: { found: number; to_review: number; not_found: number };
    };
    const c = job.counters;
    await page
      .getByText(
        `Resolved so far: ${c.found} found, ${c.to_review} to review, ${c.not_found} not found, 0 errors`,
      )
      .waitFor();
    await page.locator('figure.chart .uplot canvas').first().waitFor();
    const quotas = (await api('/api/v1/amazon/quotas')).body.credentials as {
      provider: string;
      requests: { today: number };
    }[];
    const creators = quotas.find((q) => q.provider === 'creators');
    assert.ok(creators && creators.requests.today > 0, 'the job sent requests');
    const row = page.getByRole('row').filter({ hasText: 'creators' });
    await row.getByText(`${creators.requests.today} requests`).first().waitFor();
    // The job's page shows its own provider's quota only; Settings shows every credential.
    assert.equal(await page.getByRole('row').filter({ hasText: 'keepa' }).count(), 0);
    await assertClean(page, problems, 'job page with chart');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Amazon quotas' }).waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'creators' })
      .getByText(`${creators.requests.today} requests`)
      .first()
      .waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: '…wxyz' })
      .getByText('1 requests')
      .first()
      .waitFor();
    await assertClean(page, problems, 'settings with quotas');
    await context.close();
  });

  it('creates a token shown once and copied, then revokes it after a confirmation', async () => {
    const { context, page, problems } = await signedIn('/jobs');
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await assertClean(page, problems, 'tokens');
    await page.getByLabel('Name', { exact: true }).fill('Équipe catalogue');
    await page.getByLabel(/Owner/).fill('catalogue');
    await page.getByLabel(/write — /).uncheck();
    await page.getByRole('button', { name: 'Create token' }).click();
    const value = page.getByLabel('New token');
    await value.waitFor();
    const token = await value.inputValue();
    assert.match(token, /^c2a_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), token);
    assert.equal((await api('/api/v1/code2asin/jobs', token)).status, 200, 'the new token works');
    await assertClean(page, problems, 'token created');

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByLabel('New token').waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'Équipe catalogue' });
    await row.getByText('catalogue', { exact: true }).waitFor();
    await row.getByText('read', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Revoke Équipe catalogue' }).click();
    await page
      .getByRole('dialog')
      .getByText(/Revoke the token “Équipe catalogue”/)
      .waitFor();
    await assertClean(page, problems, 'revoke confirmation');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Token “Équipe catalogue” revoked.').waitFor();
    await row.waitFor({ state: 'detached' });
    assert.equal((await api('/api/v1/code2asin/jobs', token)).status, 401, 'revoked for good');
    assert.deepEqual(problems.console, []);
    await context.close();
  });

  it('looks a code up live: repairs, candidates with reasons, a rule in one click; checks an ASIN', async () => {
    const truth = ui.emu.catalog.truth ?? [];
    const many = truth.find((x) => x.case === 'many_hits' && x.code.length === 13)!;
    const exact = truth.find((x) => x.case === 'exact_unique' && x.asin)!;
    const { context, page, problems } = await signedIn('/lookup');
    await page.getByRole('heading', { name: 'Lookup' }).waitFor();
    await assertClean(page, problems, 'lookup');
    // Typed with spaces, as on a label: cleaned, and said so.
    const typed = `${many.code.slice(0, 1)} ${many.code.slice(1, 7)} ${many.code.slice(7)}`;
    await page.getByLabel('Barcode or ASIN').fill(typed);
    await page.getByRole('button', { name: 'Search the code' }).click();
    await page.getByText(`You typed ${typed}: read as EAN-13 ${many.code}`).waitFor();
    await page.getByText(/Repairs: spaces or symbols removed/).waitFor();
    const search = (await api(`/api/v1/amazon/products/search?code=${many.code}&marketplace=fr`))
      .body as { candidates: { asin: string }[] };
    assert.ok(search.candidates.length >= 2, 'several candidates');
    const rows = page.getByRole('table').getByRole('row');
    await rows.nth(search.candidates.length).waitFor();
    assert.equal(await rows.count(), search.candidates.length + 1);
    await assertClean(page, problems, 'lookup answer');
    const second = search.candidates[1]!.asin;
    await page.getByRole('button', { name: `Always ${second} for this code` }).click();
    await page.getByText(`Rule added: this code is always ${second} on www.amazon.fr.`).waitFor();
    const rules = (await api(`/api/v1/code2asin/rules?code=${many.code}`)).body.items as {
      asin: string;
      rule: string;
    }[];
    assert.deepEqual(
      rules.map((r) => [r.asin, r.rule]),
      [[second, 'always']],
    );

    await page.getByLabel('Barcode or ASIN').fill(exact.asin!);
    await page.getByRole('button', { name: 'Check the ASIN' }).click();
    await page.getByText(`${exact.asin} exists on www.amazon.fr.`).waitFor();
    await page.getByLabel('Barcode or ASIN').fill('3017620422004');
    await page.getByRole('button', { name: 'Search the code' }).click();
    await page
      .getByRole('alert')
      .getByText(/check digit/i)
      .waitFor();
    // The 400 of the invalid code is the only failure, provoked here.
    assert.deepEqual(
      problems.console.filter((m) => !/status of 400/.test(m)),
      [],
    );
    await context.close();
  });
});
