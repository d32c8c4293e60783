import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { createToken, findTokenByValue } from '../../src/http/auth/token-repository.js';
import { launchChromium, seriousAxeViolations, watchedPage, type PageProblems } from './browser.js';
import { startUiServer, type UiServer } from './ui-harness.js';

interface Preflight {
  rows: number;
  valid: number;
  invalid: number;
  requests: number;
  invalid_by_reason: Record<string, number>;
}

/** Codes of the emulator's catalogue that match one product each. */
function exactCodes(ui: UiServer, n: number): string[] {
  return (ui.emu.catalog.truth ?? [])
    .filter((t) => t.case === 'exact_unique')
    .slice(0, n)
    .map((t) => t.code);
}

/**
 * A supplier's CSV as a spreadsheet exports it: semicolons, French headers, an internal
 * reference column, a UPC whose leading zero was lost, a typo, and a code in scientific notation.
 */
function supplierCsv(codes: string[]): string {
  const lines = ['Réf interne;EAN;Désignation;Marque'];
  codes.forEach((code, i) => lines.push(`${1001 + i};${code};Produit ${i + 1};Marque ${i}`));
  lines.push('2001;12345678905;Lost zero;Acme', '2002;3017620422004;Typo;Acme');
  lines.push('2003;3.01762E+12;Excel;Acme');
  return `${lines.join('\n')}\n`;
}

async function supplierXlsx(first: string[], second: string[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const products = book.addWorksheet('Produits');
  products.addRow(['EAN', 'Désignation']);
  for (const code of first) products.addRow([code, `Produit ${code}`]);
  const archive = book.addWorksheet('Archive');
  archive.addRow(['EAN', 'Désignation']);
  for (const code of second) archive.addRow([code, `Archivé ${code}`]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function waitForFigure(page: Page, label: string, value: string): Promise<void> {
  await page
    .locator('.preflight div')
    .filter({ has: page.getByText(label, { exact: true }) })
    .getByText(value, { exact: true })
    .waitFor();
}

describe('new-job wizard and rules in Chromium: upload, preview, pre-flight, start; rules (SQLite)', () => {
  let ui: UiServer;
  let browser: Browser;
  let token: string;
  const api = async (path: string) => {
    const res = await fetch(`${ui.url}/api/v1/code2asin${path}`, {
      headers: { authorization: `Bearer ${ui.adminToken}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const jobNamed = async (name: string) => {
    const list = await api(`/jobs?search=${encodeURIComponent(name)}`);
    return (list.items as { id: string; preflight: Preflight; status: string }[])[0];
  };

  before(async () => {
    ui = await startUiServer();
    browser = await launchChromium();
    const owner = (await findTokenByValue(ui.server.database.db, ui.adminToken))!.owner;
    token = (
      await createToken(ui.server.database.db, {
        name: 'wizard',
        owner,
        scopes: ['read', 'write', 'delete'],
      })
    ).token;
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  async function assertClean(page: Page, problems: PageProblems, screen: string) {
    assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${screen}`);
    assert.deepEqual(problems.console, [], `console errors on ${screen}`);
    assert.deepEqual(problems.failed, [], `failed requests on ${screen}`);
  }
  const figure = (page: Page, label: string) =>
    page.locator('.preflight div').filter({ has: page.getByText(label, { exact: true }) });

  it('CSV: preview shows detection and repairs, the code column can change, start runs to the end', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByRole('link', { name: 'New job' }).first().click();
    await page.getByRole('heading', { name: 'New job' }).waitFor();
    await assertClean(page, problems, 'new job');

    const codes = exactCodes(ui, 6);
    await page.getByLabel(/Supplier file/).setInputFiles({
      name: 'fournisseur-avril.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(supplierCsv(codes)),
    });
    await page.getByRole('heading', { name: 'Preview of fournisseur-avril.csv' }).waitFor();
    const detection = page.locator('.detection');
    await detection.getByText(';', { exact: true }).waitFor();
    await detection.getByText(/^B — EAN/).waitFor();
    await page.getByRole('cell', { name: 'valid · leading zeros restored' }).waitFor();
    await page
      .getByRole('cell', { name: 'invalid: wrong check digit (a typing error?)' })
      .waitFor();
    await page.getByText('The first 9 rows and what each code became').waitFor();
    const draft = await jobNamed('fournisseur-avril');
    assert.equal(draft?.status, 'pending', 'the preview starts nothing');
    assert.deepEqual(
      [draft?.preflight.rows, draft?.preflight.valid, draft?.preflight.invalid],
      [9, 7, 2],
    );
    await figure(page, 'Rows').getByText('9').waitFor();
    await figure(page, 'Invalid codes').getByText('2').waitFor();
    await figure(page, 'Amazon requests to spend')
      .getByText(String(draft?.preflight.requests))
      .waitFor();
    await page.getByText(/1 × wrong check digit/).waitFor();
    await assertClean(page, problems, 'preview');

    // The wrong column: every code is refused, the preview says why; then back to EAN.
    await page.getByLabel('Column with the codes').selectOption('Réf interne');
    await figure(page, 'Invalid codes').getByText('9').waitFor();
    await page.getByText(/9 × wrong number of digits/).waitFor();
    await page.getByLabel('Column with the codes').selectOption('EAN');
    await figure(page, 'Invalid codes').getByText('2').waitFor();

    // A second marketplace doubles the requests the pre-flight announces.
    await page.getByLabel('Germany').check();
    await waitForFigure(page, 'Amazon requests to spend', String(2 * draft!.preflight.requests));
    const jobs = (await api('/jobs?search=fournisseur-avril')).items as { id: string }[];
    assert.equal(jobs.length, 1, 'a replaced preview leaves no draft behind');
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.waitForURL(new RegExp(`/jobs/${jobs[0]!.id}$`));
    await page.getByRole('heading', { name: /fournisseur-avril/ }).waitFor();
    await page.locator('h1 .badge').getByText('Completed').waitFor({ timeout: 60_000 });
    await assertClean(page, problems, 'job after the wizard');
    await page.getByRole('button', { name: 'Errors' }).click();
    await page.getByText('No lookup failed.').waitFor();
    await assertClean(page, problems, 'errors tab');
    await page.getByRole('link', { name: 'Open the review queue' }).click();
    await page.getByLabel('Marketplace').selectOption('www.amazon.de');
    await page.waitForURL(/marketplace=www.amazon.de/);
    await assertClean(page, problems, 'review filtered by marketplace');
    await context.close();
  });

  it('XLSX: the sheet can be chosen, the draft kept to start later', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs/new`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New job' }).waitFor();
    const [a, b, c] = exactCodes(ui, 9).slice(6);
    await page.getByLabel(/Supplier file/).setInputFiles({
      name: 'catalogue.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await supplierXlsx([a!, b!], [c!]),
    });
    await page.getByRole('heading', { name: 'Preview of catalogue.xlsx' }).waitFor();
    await page.locator('.detection').getByText('XLSX').waitFor();
    await page.getByRole('cell', { name: `Produit ${a}` }).waitFor();
    await page.getByLabel('Sheet').selectOption('Archive');
    await page.getByRole('cell', { name: `Archivé ${c}` }).waitFor();
    await figure(page, 'Rows').getByText('1', { exact: true }).waitFor();
    await assertClean(page, problems, 'XLSX preview');
    await page.getByRole('button', { name: 'Keep it and start later' }).click();
    const job = await jobNamed('catalogue');
    await page.waitForURL(new RegExp(`/jobs/${job?.id}$`));
    await page.getByRole('heading', { level: 1, name: /catalogue/ }).waitFor();
    assert.equal(job?.status, 'pending');
    assert.equal(job?.preflight.rows, 1);
    await page.getByRole('button', { name: 'Start catalogue' }).click();
    await page.locator('h1 .badge').getByText('Completed').waitFor({ timeout: 60_000 });
    await assertClean(page, problems, 'job started later');
    await context.close();
  });

  it('in French: a rule added on the rules page is searched, edited, used by the next job, deleted', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
    });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/rules`);
    await page.getByLabel('Jeton d’API').fill(token);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: "Règles d'association" }).waitFor();
    await page.getByText("Aucune règle pour l'instant", { exact: false }).waitFor();
    await assertClean(page, problems, 'rules (fr, empty)');

    const code = exactCodes(ui, 10)[9]!;
    const form = page.locator('form.rule-form');
    await form.getByLabel('Code').fill(code);
    await form.getByLabel('ASIN').fill('b0rule0001');
    await form.getByLabel('Place de marché').fill('fr');
    await form.getByRole('button', { name: 'Ajouter la règle' }).click();
    const row = page.getByRole('row').filter({ hasText: 'B0RULE0001' });
    await row.getByText('Toujours').waitFor();
    await row.getByText('www.amazon.fr').waitFor();
    await assertClean(page, problems, 'rules (fr, one rule)');

    await page.getByLabel('Code ou ASIN').fill('B0RULE0001');
    await page.getByLabel('Code ou ASIN').press('Enter');
    await page.waitForURL(/search=B0RULE0001/);
    await row.getByRole('button', { name: /Passer la règle de .* en « Jamais »/ }).click();
    await row.getByText('Jamais', { exact: true }).waitFor();
    await row.getByRole('button', { name: /en « Toujours »/ }).click();
    await row.getByText('Toujours', { exact: true }).waitFor();
    await row.getByLabel(/Note de la règle/).fill('vérifié par Claire');
    await row.getByRole('button', { name: 'Enregistrer' }).click();
    await row.getByRole('button', { name: 'Enregistrer' }).waitFor({ state: 'detached' });
    const rules = (await api(`/rules?asin=B0RULE0001`)).items as { note: string; rule: string }[];
    assert.deepEqual([rules[0]?.rule, rules[0]?.note], ['always', 'vérifié par Claire']);

    // The next job knows the code by the rule before asking Amazon.
    await page.getByRole('link', { name: 'Nouvelle tâche' }).click();
    await page.getByLabel(/Fichier fournisseur/).setInputFiles({
      name: 'regle.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`EAN;Désignation\n${code};Produit\n`),
    });
    await page.getByRole('heading', { name: 'Aperçu de regle.csv' }).waitFor();
    await waitForFigure(
      page,
      'Déjà connus',
      '1 (0 par des recherches précédentes, 1 par vos règles)',
    );
    await assertClean(page, problems, 'preview (fr)');
    await page.getByRole('button', { name: 'Abandonner' }).click();
    await page.getByRole('heading', { name: 'Aperçu de regle.csv' }).waitFor({ state: 'detached' });
    assert.equal(((await api('/jobs?search=regle')).items as unknown[]).length, 0);

    await page.getByRole('link', { name: 'Règles' }).click();
    await row.getByRole('button', { name: /Supprimer la règle/ }).click();
    await page
      .getByRole('dialog')
      .getByText(/Supprimer la règle du code/)
      .waitFor();
    await assertClean(page, problems, 'delete confirmation (fr)');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirmer' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(((await api('/rules?asin=B0RULE0001')).items as unknown[]).length, 0);
    await context.close();
  });
});
