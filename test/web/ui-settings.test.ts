import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createToken, findTokenByValue } from '../../src/http/auth/token-repository.js';
import { launchChromium, seriousAxeViolations, watchedPage } from './browser.js';
import { startUiServer, type UiServer } from './ui-harness.js';

const SECRET = 'browser-test-secret-value-42';

describe('Amazon settings screen in Chromium (admin only, secrets write-only)', () => {
  let ui: UiServer;
  let browser: Browser;
  before(async () => {
    ui = await startUiServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });
  const config = async () => {
    const res = await fetch(`${ui.url}/api/v1/amazon/config`, {
      headers: { authorization: `Bearer ${ui.adminToken}` },
    });
    return (await res.json()) as {
      settings: Record<string, { value: unknown; source: string; set?: boolean }>;
    };
  };

  it('shows each source, stores a change and a secret it never shows, tests the connection', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.url}/settings`);
    await page.getByLabel('API token').fill(ui.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Amazon settings' }).waitFor();
    assert.deepEqual(await seriousAxeViolations(page), [], 'axe on settings');

    await page.getByLabel('Associates tag', { exact: true }).fill('boutique-21');
    await page.getByLabel('Creators API credential secret', { exact: true }).fill(SECRET);
    await page.getByRole('button', { name: 'Save 2 change(s)' }).click();
    await page.getByText('Saved.').waitFor();
    const stored = await config();
    assert.equal(stored.settings.associate_tag?.value, 'boutique-21');
    assert.equal(stored.settings.associate_tag?.source, 'stored');
    assert.equal(stored.settings.creators_credential_secret?.set, true);
    assert.equal(
      await page.getByLabel('Creators API credential secret', { exact: true }).inputValue(),
      '',
    );
    assert.doesNotMatch(await page.content(), new RegExp(SECRET), 'a secret is never shown');

    await page.getByRole('button', { name: 'Use the default for Associates tag' }).click();
    await page.getByRole('button', { name: 'Save 1 change(s)' }).click();
    await page.getByText('Saved.').waitFor();
    assert.notEqual((await config()).settings.associate_tag?.source, 'stored');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByText(/Amazon answered: the connection works|The connection does not work/)
      .waitFor();
    assert.deepEqual(await seriousAxeViolations(page), [], 'axe after the test');
    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.failed, []);
    await context.close();
  });

  it('a token without admin sees no settings link', async () => {
    const owner = (await findTokenByValue(ui.server.database.db, ui.adminToken))!.owner;
    const token = (
      await createToken(ui.server.database.db, { name: 'w', owner, scopes: ['read', 'write'] })
    ).token;
    const context = await browser.newContext({ locale: 'fr-FR' });
    const { page } = await watchedPage(context);
    await page.goto(`${ui.url}/jobs`);
    await page.getByLabel('Jeton d’API').fill(token);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('link', { name: 'Règles' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Réglages' }).count(), 0);
    await context.close();
  });
});
