import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { toJson } from '../../src/db/dialect.js';
import { launchChromium, seriousAxeViolations, watchedPage, type PageProblems } from './browser.js';
import { startUiServer, type UiServer } from './ui-harness.js';

/** One listing proposed for three codes (a pack family); nine codes with their own proposal. */
const FAMILY = 'B0FAMILY01';
const ROWS = 12;

const candidate = (asin: string, rank: number) => ({
  asin,
  title: `Article ${asin} <b>bold?</b>`,
  brand: 'Marque',
  image: `https://m.media-amazon.com/images/I/${asin}.jpg`,
  match_type: 'fuzzy',
  confidence: 0.6 - rank / 100,
  reasons: ['title_similarity:0.61'],
  rejected: false,
  rank,
});

describe('review queue by keyboard in Chromium (SQLite)', () => {
  let ui: UiServer;
  let browser: Browser;
  let jobId: string;
  let draftId: string;
  const api = async (path: string, body?: object) => {
    const res = await fetch(`${ui.url}/api/v1/code2asin${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${ui.adminToken}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as Record<string, unknown>;
  };

  before(async () => {
    ui = await startUiServer();
    browser = await launchChromium();
    const codes = (ui.emu.catalog.truth ?? []).slice(0, ROWS).map((t) => t.code);
    const created = await api('/jobs', {
      name: 'Packs',
      codes,
      marketplaces: ['fr'],
      auto_start: false,
    });
    jobId = created.id as string;
    draftId = (await api('/jobs', { name: 'Brouillon', codes, auto_start: false })).id as string;
    // Every result waits for a person, as a finished matcher leaves them.
    const { db } = ui.server.database;
    const rows = await db
      .selectFrom('code2asin_results')
      .select('id')
      .where('job_id', '=', jobId)
      .orderBy('id')
      .execute();
    for (const [i, row] of rows.entries()) {
      const proposal = i < 3 ? FAMILY : `B0OWN${String(i).padStart(5, '0')}`;
      await db
        .updateTable('code2asin_results')
        .set({
          status: 'to_review',
          proposed_asin: proposal,
          match_type: 'fuzzy',
          confidence: 0.6,
          source: 'api',
          reasons: toJson(['title_similarity:0.61']),
          candidates: toJson([
            candidate(proposal, 1),
            candidate(`B0ALT${String(i).padStart(5, '0')}`, 2),
          ]),
        })
        .where('id', '=', row.id)
        .execute();
    }
    await db
      .updateTable('code2asin_jobs')
      .set({ status: 'completed', done_count: ROWS, to_review_count: ROWS })
      .where('id', '=', jobId)
      .execute();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  async function signIn(page: Page) {
    await page.getByLabel('API token').fill(ui.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  async function assertClean(page: Page, problems: PageProblems, screen: string) {
    assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${screen}`);
    assert.deepEqual(problems.console, [], `console errors on ${screen}`);
    assert.deepEqual(problems.failed, [], `failed requests on ${screen}`);
  }
  /** The queue's selected code, and where the focus is. */
  const state = (page: Page) =>
    page.evaluate<{ selected: string; onBody: boolean }>(`({
      selected: document.querySelector('.queue li[aria-current="true"] .code')?.textContent ?? '',
      onBody: document.activeElement === document.body || document.activeElement === null,
    })`);
  const codes = (page: Page) => page.locator('.queue .code').allTextContents();
  const settled = (page: Page) => page.locator('.queue .done').count();

  it('thumbnails through the server, J/K, 1–9, O for the family, U, N, A: focus kept, next selected', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems } = await watchedPage(context);
    const outside: string[] = [];
    const api: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.hostname !== '127.0.0.1') outside.push(r.url());
      // Data requests; pictures (one per shown candidate, cached a day) are counted apart.
      if (url.pathname.startsWith('/api/') && !url.pathname.includes('/images/'))
        api.push(`${r.method()} ${url.pathname}`);
    });
    await page.goto(`${ui.url}/jobs/${jobId}/review`);
    await signIn(page);
    await page
      .getByRole('status')
      .filter({ hasText: `${ROWS} results in this filter` })
      .waitFor();
    const all = await codes(page);

    // Every shortcut is printed on its button.
    for (const key of ['J', 'K', 'A', 'N', 'U', 'E', '1', '2']) {
      const button = page.locator(`[aria-keyshortcuts="${key}"]`).first();
      const text =
        key === 'E'
          ? await page.locator('label[for="asin-input"]').textContent()
          : await button.textContent();
      assert.match(text ?? '', new RegExp(`^${key}\\b`), key);
    }
    // Pictures come from code2asin itself, which fetched them from the (stand-in) image CDN.
    const thumbs = page.locator('.review-main img.thumb');
    await thumbs.first().waitFor();
    // Polled through evaluate: waitForFunction runs its predicate with eval() in the page, which
    // the UI's Content-Security-Policy (no 'unsafe-eval') refuses as soon as it has to poll, i.e.
    // whenever a picture is not loaded at the first look (a CI failure).
    const loadedBy = Date.now() + 15_000;
    while (
      !(await thumbs.evaluateAll((imgs) =>
        imgs.every((img) => {
          const picture = img as unknown as { complete: boolean; naturalWidth: number };
          return picture.complete && picture.naturalWidth > 0;
        }),
      ))
    ) {
      assert.ok(Date.now() < loadedBy, 'every thumbnail loaded');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const src of await thumbs.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))))
      assert.match(
        src ?? '',
        new RegExp(`^/api/v1/code2asin/jobs/${jobId}/results/\\d+/images/B0`),
      );
    assert.ok(ui.imageRequests.some((p) => p === `/images/I/${FAMILY}.jpg`));
    // Text from the provider stays text.
    await page.getByText(`Article ${FAMILY} <b>bold?</b>`).first().waitFor();
    assert.equal(await page.locator('.review-main b').count(), 0);

    await page.keyboard.press('j');
    assert.equal((await state(page)).selected, all[1]);
    await page.keyboard.press('k');
    assert.equal((await state(page)).selected, all[0]);

    // Choosing the family's listing for the first code offers it for the two others.
    await page.keyboard.press('1');
    const offer = page.getByRole('region', { name: 'Same decision for other results?' });
    await offer.getByText(`2 other codes proposing ${FAMILY}`).waitFor();
    let now = await state(page);
    assert.equal(now.selected, all[1], 'the next result is selected');
    assert.equal(now.onBody, false, 'focus is kept');
    await assertClean(page, problems, 'review with an offer');
    await page.keyboard.press('o');
    await page.getByText('Applied to 2 other results').waitFor();
    assert.equal(await settled(page), 3);
    now = await state(page);
    assert.equal(now.selected, all[1], 'still on the next result');
    assert.equal(now.onBody, false);

    // U takes back the two repeated decisions as one step, then the first one.
    await page.keyboard.press('u');
    await page.getByText('Undone: 2 decision(s)').waitFor();
    assert.equal(await settled(page), 1);
    await page.keyboard.press('u');
    await page.getByText('Undone: 1 decision(s)').waitFor();
    assert.equal(await settled(page), 0);
    assert.equal((await state(page)).selected, all[0], 'the undone result is selected again');
    assert.equal((await state(page)).onBody, false);

    // N, then the second candidate with 2: each time the next undecided result comes up.
    await page.keyboard.press('n');
    await page.getByText(`Decided: ${all[0]} → No match`).waitFor();
    await page.getByRole('button', { name: 'No, only this one' }).click();
    assert.equal((await state(page)).selected, all[1]);
    await page.keyboard.press('2');
    await page.getByText(`Decided: ${all[1]} → B0ALT00001`).waitFor();
    assert.equal((await state(page)).selected, all[2]);

    // The rest by A alone: one data request per decision, focus never on the page's body.
    api.length = 0;
    for (let i = 2; i < ROWS; i += 1) {
      await page.keyboard.press('a');
      await page.getByText(`Decided: ${all[i]} → `).waitFor();
      assert.equal((await state(page)).onBody, false, `focus after decision ${i}`);
      if (i < ROWS - 1) assert.equal((await state(page)).selected, all[i + 1]);
    }
    // The end of the queue: one read of what is still open (nothing), said on screen, focused.
    await page.getByRole('heading', { name: 'Nothing left to review in this filter.' }).waitFor();
    await page.getByText(`${ROWS} settled by you here`).first().waitFor();
    assert.equal(
      await page.evaluate<string>('document.activeElement?.textContent ?? ""'),
      'Back to Packs',
    );
    assert.deepEqual(api, [
      ...Array(ROWS - 2).fill(`POST /api/v1/code2asin/jobs/${jobId}/decisions`),
      `GET /api/v1/code2asin/jobs/${jobId}/results`,
    ]);
    assert.deepEqual(outside, [], 'the browser never reached outside the machine');
    await assertClean(page, problems, 'review done');
    await context.close();
  });

  it('a draft job offers Start and Discard, never Pause', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs/${draftId}`);
    await signIn(page);
    await page.getByRole('heading', { name: /Brouillon/ }).waitFor();
    await page.getByRole('button', { name: 'Start Brouillon' }).waitFor();
    await page.getByRole('button', { name: 'Discard Brouillon' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Pause|Cancel) / }).count(), 0);
    await page.getByRole('button', { name: 'Discard Brouillon' }).click();
    await page
      .getByRole('dialog')
      .getByText(/Discard the draft job “Brouillon”/)
      .waitFor();
    await assertClean(page, problems, 'draft job');
    await context.close();
  });
});
