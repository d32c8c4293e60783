import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  createToken,
  findTokenByValue,
  revokeToken,
} from '../../src/http/auth/token-repository.js';
import { launchChromium, seriousAxeViolations, watchedPage, type PageProblems } from './browser.js';
import { createJob, reviewFile, startUiServer, waitForJob, type UiServer } from './ui-harness.js';

const XSS_NAME = '<img src=x onerror="document.title=\'pwned\'">';

describe('web UI in Chromium against serve and the emulator (SQLite)', () => {
  let ui: UiServer;
  let browser: Browser;
  let jobId: string;
  let owner: string;
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${ui.url}/api/v1/code2asin${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${ui.adminToken}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const userToken = async (scopes: ('read' | 'write' | 'delete')[]) =>
    (await createToken(ui.server.database.db, { name: 'browser', owner, scopes })).token;

  before(async () => {
    ui = await startUiServer();
    browser = await launchChromium();
    owner = (await findTokenByValue(ui.server.database.db, ui.adminToken))!.owner;
    jobId = await createJob(ui, 'Fournisseur mars', reviewFile(ui.emu));
    await waitForJob(ui, jobId);
    await createJob(ui, XSS_NAME, reviewFile(ui.emu, 2));
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  async function signIn(page: Page, token: string) {
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  async function assertClean(page: Page, problems: PageProblems, screen: string) {
    assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${screen}`);
    assert.deepEqual(problems.console, [], `console errors on ${screen}`);
    assert.deepEqual(problems.failed, [], `failed requests on ${screen}`);
  }
  const reviewCount = async () => {
    const res = await api(`/jobs/${jobId}/results?review=true&per_page=1`);
    return res.body.total as number;
  };

  it('sign in → jobs → job → review (accept, 2nd candidate, ASIN, no match, undo, bulk) → sign out', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      locale: 'en-US',
    });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs/${jobId}/review`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertClean(page, problems, 'sign-in');
    await signIn(page, await userToken(['read', 'write', 'delete']));
    // Back where the user was going, signed in by an HttpOnly cookie (no token in storage).
    await page.getByRole('heading', { name: 'Review — Fournisseur mars' }).waitFor();
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'c2a_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + location.href',
    );
    assert.doesNotMatch(stored, /c2a_/, 'no token in localStorage or the URL');

    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByText(XSS_NAME).first().waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'a title is text, never HTML');
    assert.notEqual(await page.title(), 'pwned');
    await assertClean(page, problems, 'jobs');

    await page.getByRole('link', { name: 'Fournisseur mars' }).click();
    await page.getByRole('heading', { name: /Fournisseur mars/ }).waitFor();
    await page.getByText('Average confidence').waitFor();
    await assertClean(page, problems, 'job');

    await page.getByRole('link', { name: 'Open the review queue' }).click();
    const pending = await reviewCount();
    assert.ok(pending >= 6, `enough results to review: ${pending}`);
    await page
      .getByRole('status')
      .filter({ hasText: `${pending} results in this filter` })
      .waitFor();
    await assertClean(page, problems, 'review');
    mkdirSync('docs', { recursive: true });
    await page.screenshot({ path: 'docs/review-queue.png' });

    const decided = () => page.locator('.queue .done').count();
    await page.keyboard.press('a');
    await page.getByText(/Decided: /).waitFor();
    await page.keyboard.press('2');
    await waitUntil(async () => (await decided()) === 2);
    await page.keyboard.press('e');
    await page.keyboard.type('B0TESTASIN');
    await page.keyboard.press('Enter');
    await waitUntil(async () => (await decided()) === 3);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await waitUntil(async () => (await decided()) === 4);
    await page.keyboard.press('u');
    await page.getByText('Undone: 1 decision(s)').waitFor();
    const history = await api(`/jobs/${jobId}/decisions`);
    const items = history.body.items as {
      action: string;
      asin: string | null;
      undone_at: string | null;
    }[];
    assert.deepEqual(
      items.map((d) => [d.action, d.undone_at === null]),
      [
        ['no_match', false],
        ['asin', true],
        ['choose', true],
        ['accept', true],
      ],
    );
    assert.equal(items[1]?.asin, 'B0TESTASIN');
    assert.equal(await reviewCount(), pending - 3);

    // Undo lives on the server: after a reload the history is still there.
    await page.reload();
    const left = pending - 3;
    await page
      .getByRole('status')
      .filter({ hasText: `${left} results in this filter` })
      .waitFor();
    await page
      .getByRole('button', {
        name: `Accept the best candidate for the ${left} results in this filter`,
      })
      .click();
    await page
      .getByRole('dialog')
      .getByText(`Accept the best candidate for ${left} results?`)
      .waitFor();
    await assertClean(page, problems, 'bulk confirmation');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(/Decided: \d+/).waitFor();
    const bulk = (await api(`/jobs/${jobId}/decisions?per_page=200`)).body.items as {
      batch_id: string;
    }[];
    const batch = bulk[0]!.batch_id;
    const inBatch = bulk.filter((d) => d.batch_id === batch).length;
    assert.ok(inBatch > 0 && inBatch <= left, `one batch of ${inBatch}`);
    assert.equal(await reviewCount(), left - inBatch, 'only results without a candidate are left');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const after = await page.evaluate<unknown>("fetch('/api/v1/session').then((r) => r.json())");
    assert.deepEqual(after, { signed_in: false });
    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.failed, []);
    await context.close();
  });

  it('in French, a read token sees no write button, and cross-site writes are refused', async () => {
    const context = await browser.newContext({
      viewport: { width: 1024, height: 768 },
      locale: 'fr-FR',
    });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs`);
    await page.getByLabel('Jeton d’API').fill(await userToken(['read']));
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Tâches' }).waitFor();
    await assertClean(page, problems, 'jobs (fr)');
    await page.goto(`${ui.url}/jobs/${jobId}/review?queue=all`);
    await page.getByRole('heading', { name: 'Revue — Fournisseur mars' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Accepter/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Supprimer|Démarrer/ }).count(), 0);
    await assertClean(page, problems, 'review (fr, read)');
    const crossSite = await context.request.post(
      `${ui.url}/api/v1/code2asin/jobs/${jobId}/decisions/undo`,
      {
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        data: {},
      },
    );
    assert.equal(crossSite.status(), 403);
    await context.close();
  });

  it('revoking the token ends the session at once: the next screen is the sign-in', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const { page, problems } = await watchedPage(context);
    const token = await userToken(['read']);
    await page.goto(`${ui.url}/jobs`);
    await signIn(page, token);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    const jobLink = page.getByRole('link', { name: 'Fournisseur mars' });
    await jobLink.waitFor();
    const record = await findTokenByValue(ui.server.database.db, token);
    assert.ok(record && (await revokeToken(ui.server.database.db, record.id)));
    await jobLink.click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended').waitFor();
    // The only errors are the 401s this test provoked.
    assert.deepEqual(
      problems.console.filter((m) => !/status of 401/.test(m)),
      [],
    );
    await context.close();
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
