import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateLabelledCatalog } from '../../src/emulator/generate-labelled.js';
import { launchChromium, seriousAxeViolations, watchedPage } from './browser.js';
import { createJob, startUiServer, waitForJob, type UiServer } from './ui-harness.js';

/**
 * The labelled catalog's classes the matcher sends to a person (checked seed, no weight tuned on
 * it): packs sold by the unit or the other way round, renewed-only listings, titles without ids.
 */
const REVIEW_CASES = new Set([
  'pack_unit_row_multipack_listing',
  'pack_multi_row_unit_listing',
  'renewed_only',
  'title_only',
]);
const PRODUCTS = 4000;
const SEED = 29;
const WANTED = 200;
const PER_PAGE = 25;
/** The 10 characters of an ASIN, then Enter: what typing one costs beyond the E key. */
const ASIN_TYPING = 11;

/** What a person sees of the selected result: its code, the proposal and the numbered candidates. */
interface Shown {
  code: string;
  proposal: string | null;
  candidates: string[];
}

describe('settling 200+ uncertain matches by keyboard alone in Chromium (SQLite, emulator)', () => {
  let ui: UiServer;
  let browser: Browser;
  let jobId: string;
  /** The right ASIN of each code (null: the product is not on Amazon), as the person knows it. */
  let truth: Map<string, string | null>;
  const api = async (path: string) => {
    const res = await fetch(`${ui.url}/api/v1/code2asin${path}`, {
      headers: { authorization: `Bearer ${ui.adminToken}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const inQueue = async () =>
    (await api(`/jobs/${jobId}/results?review=true&per_page=1`)).total as number;

  before(async () => {
    ui = await startUiServer({}, { catalog: generateLabelledCatalog(PRODUCTS, SEED) });
    browser = await launchChromium();
    const entries = (ui.emu.catalog.truth ?? []).filter((t) => REVIEW_CASES.has(t.case));
    truth = new Map(entries.map((t) => [t.code, t.asin]));
    // The supplier's rows as a catalogue team sends them: code, title, brand, pack quantity.
    const lines = entries.map((t) =>
      [t.code, t.row?.title ?? '', t.row?.brand ?? '', t.row?.quantity ?? '']
        .map((cell) => String(cell).replace(/;/g, ','))
        .join(';'),
    );
    const file = `EAN;Désignation;Marque;Quantité\n${lines.join('\n')}\n`;
    jobId = await createJob(ui, 'Fournisseur juin', file);
    await waitForJob(ui, jobId);
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  const shown = (page: Page) =>
    page.evaluate<Shown>(`(() => {
      const main = document.querySelector('.review-main');
      return {
        code: document.querySelector('.queue li[aria-current="true"] .code')?.textContent ?? '',
        proposal: main?.querySelector('.proposal a')?.textContent ?? null,
        candidates: [...(main?.querySelectorAll('.candidates button') ?? [])].map(
          (b) => b.textContent.trim().split(' ').at(-1)),
      };
    })()`);
  /** The keys a person who knows the right ASIN presses for `s`. */
  function keysFor(s: Shown): string[] {
    assert.ok(truth.has(s.code), `a code of the file is shown: ${s.code}`);
    const right = truth.get(s.code) ?? null;
    if (right === null) return ['n'];
    if (right === s.proposal) return ['a'];
    const index = s.candidates.indexOf(right);
    if (index >= 0 && index < 9) return [String(index + 1)];
    return ['e', ...right, 'Enter'];
  }

  it('every result of the queue settled by keys: ≤ 1 key and ≈ 1 request per settled match', async () => {
    const toReview = ((await api(`/jobs/${jobId}`)).counters as { to_review: number }).to_review;
    const total = await inQueue();
    assert.ok(toReview >= WANTED, `the matcher left ${toReview} results to review (≥ ${WANTED})`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Generous waits for visible state: the machine may be heavily loaded.
    context.setDefaultTimeout(120_000);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs/${jobId}/review`);
    await page.getByLabel('API token').fill(ui.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${total} left to review` })
      .waitFor();
    const ready = page.locator('.review-main[aria-busy="false"]');
    await ready.waitFor();

    // The keys are on screen, and ? lists them all; Esc gives the keyboard back to the queue.
    const legend = page.getByLabel('Keyboard shortcuts').first();
    for (const key of ['A', '1–9', 'N', 'E', 'O', 'U', 'J / ↓', 'K / ↑', '?'])
      await legend.getByText(key, { exact: true }).waitFor();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Choose the candidate with that number').waitFor();
    assert.deepEqual(await seriousAxeViolations(page), [], 'axe on the key help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await page.locator('.review-main:focus').waitFor();
    // A key with nothing to act on says so instead of doing nothing.
    const first = await shown(page);
    if (first.candidates.length < 9) {
      await page.keyboard.press('9');
      await page.getByText('There is no candidate 9 on this result.').waitFor();
    }

    const data: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/') && !url.pathname.includes('/images/'))
        data.push(`${r.method()} ${url.pathname}`);
    });
    let keystrokes = 0;
    let typed = 0;
    let settled = 0;
    const mix: Record<string, number> = {};
    const done = page.getByRole('heading', { name: 'Nothing left to review in this filter.' });
    while (!(await done.isVisible())) {
      const now = await shown(page);
      const keys = keysFor(now);
      if (keys[0] === 'e') typed += 1;
      const kind = /^\d$/.test(keys[0]!) ? '1–9' : keys[0]!.toUpperCase();
      mix[kind] = (mix[kind] ?? 0) + 1;
      for (const key of keys) await page.keyboard.press(key);
      keystrokes += keys.length;
      settled += 1;
      await page.getByText(`Decided: ${now.code} → `).waitFor();
      // The next open result (or the end of the queue) comes up without another key.
      await page
        .locator(
          '.review-body:has(.review-main[aria-busy="false"]) .queue li[aria-current="true"]:not(:has(.done))',
        )
        .or(done)
        .waitFor();
      assert.ok(settled <= total, 'never more decisions than results in the queue');
    }

    assert.equal(settled, total, 'each result of the queue settled once');
    assert.equal(await inQueue(), 0, 'nothing left in the queue on the server');
    const counters = (await api(`/jobs/${jobId}`)).counters as { to_review: number };
    assert.equal(counters.to_review, 0);
    // The server holds what the keys said: the right ASIN (or none) for every code.
    const decided = (await api(`/jobs/${jobId}/results?match_type=manual&per_page=500`)).items as {
      code: string;
      asin: string | null;
    }[];
    assert.equal(decided.length, total);
    for (const r of decided) assert.equal(r.asin, truth.get(r.code) ?? null, r.code);

    // Bounds that hold at any speed: one key per settled match (plus the typing of ASINs the
    // matcher never offered), one POST per decision, one read per page and one at the end.
    assert.equal(keystrokes, settled + typed * ASIN_TYPING);
    const posts = data.filter((d) => d.startsWith('POST ')).length;
    const reads = data.filter((d) => d.startsWith('GET ')).length;
    assert.equal(posts, settled);
    assert.ok(reads <= Math.ceil(total / PER_PAGE) + 1, `${reads} page reads for ${total}`);
    const perMatch = (posts + reads) / settled;
    assert.ok(perMatch <= 1 + 1 / PER_PAGE + 2 / total, `${perMatch} requests per settled match`);
    console.log(
      `# settled ${settled} (to_review ${toReview}): ${keystrokes} keys (${(keystrokes / settled).toFixed(2)}/match, ${typed} ASINs typed), ${posts} POST + ${reads} GET = ${perMatch.toFixed(3)} requests/match; keys ${JSON.stringify(mix)}`,
    );

    // The end of the queue says so, with the way back focused.
    await page.getByText(`${settled} settled by you here`).first().waitFor();
    await page
      .getByRole('link', { name: 'Back to Fournisseur juin' })
      .and(page.locator(':focus'))
      .waitFor();
    assert.deepEqual(await seriousAxeViolations(page), [], 'axe at the end of the queue');
    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.failed, []);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /Fournisseur juin/ }).waitFor();
    await context.close();
  });
});
