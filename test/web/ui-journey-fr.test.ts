import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { createToken, findTokenByValue } from '../../src/http/auth/token-repository.js';
import { launchChromium, seriousAxeViolations, watchedPage, type PageProblems } from './browser.js';
import { reviewFile, startUiServer, type UiServer } from './ui-harness.js';

const FILE_NAME = 'fournisseur-mai.csv';

/**
 * The whole journey of a catalogue person, in French, by clicks only: sign in, upload the
 * supplier's file (semicolons, French headers), read the preview, start, watch the job finish
 * without reloading, settle every result waiting for review, download the XLSX and find in it the
 * ASINs the API holds. Every screen axe-clean; no console error, no failed request.
 */
describe('the French journey in Chromium, from the supplier file to the result file (SQLite)', () => {
  let ui: UiServer;
  let browser: Browser;
  let token: string;
  let dir: string;
  const api = async (path: string) => {
    const res = await fetch(`${ui.url}/api/v1/code2asin${path}`, {
      headers: { authorization: `Bearer ${ui.adminToken}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };
  before(async () => {
    ui = await startUiServer();
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'c2a-journey-'));
    const owner = (await findTokenByValue(ui.server.database.db, ui.adminToken))!.owner;
    const scopes = ['read', 'write', 'delete'] as const;
    token = (await createToken(ui.server.database.db, { name: 'catalogue', owner, scopes })).token;
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  async function assertClean(page: Page, problems: PageProblems, screen: string) {
    assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${screen}`);
    assert.deepEqual(problems.console, [], `console errors on ${screen}`);
    assert.deepEqual(problems.failed, [], `failed requests on ${screen}`);
  }
  const toReview = async (id: string) =>
    (await api(`/jobs/${id}/results?review=true&per_page=1`)).total as number;

  it('connexion → fichier → aperçu → démarrage → suivi → revue → fichier résultat', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      locale: 'fr-FR',
      acceptDownloads: true,
    });
    // Generous waits for visible state: the machine may be heavily loaded.
    context.setDefaultTimeout(120_000);
    const { page, problems } = await watchedPage(context);
    await page.goto(ui.url);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await assertClean(page, problems, 'connexion');
    await page.getByLabel('Jeton d’API').fill(token);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Tâches' }).waitFor();
    await assertClean(page, problems, 'tâches (vide)');

    await page.getByRole('link', { name: 'Nouvelle tâche' }).first().click();
    await page.getByRole('heading', { name: 'Nouvelle tâche' }).waitFor();
    const csv = reviewFile(ui.emu, 80);
    const rows = csv.trim().split('\n').length - 1;
    await page.getByLabel(/Fichier fournisseur/).setInputFiles({
      name: FILE_NAME,
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('heading', { name: `Aperçu de ${FILE_NAME}` }).waitFor();
    await page.locator('.detection').getByText(';', { exact: true }).waitFor();
    await page.locator('.detection').getByText(/EAN/).first().waitFor();
    await page
      .locator('.preflight div')
      .filter({ has: page.getByText('Lignes', { exact: true }) })
      .getByText(String(rows), { exact: true })
      .waitFor();
    await assertClean(page, problems, 'aperçu');

    await page.getByRole('button', { name: 'Démarrer maintenant' }).click();
    await page.getByRole('heading', { level: 1, name: /fournisseur-mai/ }).waitFor();
    const jobId = new URL(page.url()).pathname.split('/').pop()!;
    // Live progress to the end, no reload: the badge, the bar and the chart's figures.
    await page.locator('h1 .badge').getByText('Terminée').waitFor({ timeout: 600_000 });
    await page.getByText(new RegExp(`^${rows} / ${rows} \\(100 %\\)`)).waitFor();
    const job = (await api(`/jobs/${jobId}`)) as { counters: { found: number } };
    await page.getByText(new RegExp(`Résolus jusqu’ici : ${job.counters.found} trouvés`)).waitFor();
    await assertClean(page, problems, 'tâche terminée');

    await page.getByRole('link', { name: 'Ouvrir la file de revue' }).click();
    await page.getByRole('heading', { name: /^Revue — fournisseur-mai/ }).waitFor();
    const pending = await toReview(jobId);
    assert.ok(pending >= 4, `results to review: ${pending}`);
    await page
      .getByRole('status')
      .filter({ hasText: `${pending} résultats dans ce filtre` })
      .waitFor();
    await assertClean(page, problems, 'revue');

    // One by one with the buttons, then the rest in bulk, each bulk confirmed.
    // The n-th decided item is marked in the queue (a locator: the CSP forbids evaluated strings).
    const decided = (n: number) =>
      page
        .locator('.queue .done')
        .nth(n - 1)
        .waitFor();
    await page.getByRole('button', { name: /Accepter$/ }).click();
    await decided(1);
    // The second candidate (the first when only one is listed).
    await page
      .getByRole('button', { name: /^[12] Choisir/ })
      .last()
      .click();
    await decided(2);
    await page.getByRole('button', { name: /Aucune correspondance$/ }).click();
    await decided(3);
    await page.reload();
    const left = pending - 3;
    await page
      .getByRole('status')
      .filter({ hasText: `${left} résultats dans ce filtre` })
      .waitFor();
    await page
      .getByRole('button', {
        name: `Accepter le meilleur candidat pour les ${left} résultats de ce filtre`,
      })
      .click();
    await page
      .getByRole('dialog')
      .getByText(`Accepter le meilleur candidat pour ${left} résultats ?`, { exact: false })
      .waitFor();
    await assertClean(page, problems, 'confirmation groupée');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText(/Décidé : \d+/).waitFor();
    await page.reload();
    const rest = await toReview(jobId);
    if (rest > 0) {
      // Results without any candidate: no match, said and confirmed.
      await page
        .getByRole('button', {
          name: `Marquer les ${rest} résultats de ce filtre sans correspondance`,
        })
        .click();
      await page.getByRole('button', { name: 'Confirmer' }).click();
    }
    await page.getByText('Plus rien à revoir dans ce filtre.').waitFor();
    assert.equal(await toReview(jobId), 0, 'every result settled');
    await assertClean(page, problems, 'revue terminée');

    await page.getByRole('link', { name: /^← fournisseur-mai/ }).click();
    await page.getByRole('heading', { level: 1, name: /fournisseur-mai/ }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Télécharger XLSX' }).click();
    const file = join(dir, 'resultat.xlsx');
    await (await download).saveAs(file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const asinColumn = header.indexOf('asin');
    assert.ok(header.includes('EAN') && header.includes('Désignation'), header.join('|'));
    assert.ok(asinColumn > 0, `an asin column: ${header.join('|')}`);
    const inFile: string[] = [];
    sheet.eachRow((row, n) => {
      const cell = row.getCell(asinColumn).value;
      if (n > 1 && cell) inFile.push(String(cell));
    });
    assert.equal(sheet.actualRowCount - 1, rows, 'one line per supplier row');
    const results = (await api(`/jobs/${jobId}/results?per_page=200`)).items as {
      asin: string | null;
    }[];
    const held = results.map((r) => r.asin).filter((a): a is string => a !== null);
    assert.deepEqual(inFile.sort(), held.sort(), 'the file holds the ASINs decided');
    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.failed, []);
    await context.close();
  });
});
