/**
 * The Settings pages in Chromium against a real server, signed in as the
 * workspace's owner: API keys (a read-only key used from the test, then
 * revoked in the page), webhooks (a test event to a real receiver, its
 * delivery log, retry), sandboxes (their own data), users, workspace, profile
 * and events. Each page passes axe-core and is photographed for docs/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, ensureWebApp, givePassword, launchBrowser, newContext, noBrowser, screenshot, signInWithForm, watchPage } from '../helpers/browser.js';
import { createContact, createTenant, createUser, type Tenant } from '../helpers/factories.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor, WebhookReceiver } from '../helpers/webhook-receiver.js';

const PASSWORD = 'a long enough owner password';

let server: TestServer;
let tenant: Tenant;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];

before(async () => {
  if (noBrowser) return;
  ensureWebApp();
  server = await startServer({ TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_POLL_INTERVAL_MS: '100' });
  tenant = await createTenant(server);
  await givePassword(server.url, tenant.key, tenant.ownerId, PASSWORD);
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  problems = watchPage(page);
  await signInWithForm(page, server.url, tenant.ownerEmail, PASSWORD);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const call = (path: string, key: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });

async function open(path: string, heading: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('Settings in the browser', { skip: noBrowser }, () => {
  test('API keys: a read-only key is shown once, reads and cannot write, and is refused once revoked in the page', async () => {
    await open('/settings/api-keys', 'API keys');
    await page.getByLabel('Name', { exact: true }).fill('Reporting script');
    await page.getByLabel('Read-only: every read, no writes').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretField = page.getByRole('textbox', { name: 'Secret of the new key “Reporting script”' });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.match(secret, /^trl_live_/);
    assert.match(await page.getByRole('textbox', { name: 'curl command' }).inputValue(), new RegExp(`Authorization: Bearer ${secret}`));
    await assertAccessible(page, 'API keys with a new secret');

    // The key works as its scope says.
    assert.equal((await call('/v1/contacts', secret)).status, 200);
    const write = await call('/v1/contacts', secret, { method: 'POST', body: JSON.stringify({ first_name: 'Nope', email: 'nope@example.com' }) });
    assert.equal(write.status, 403, await write.text());

    // Shown once: after a reload the page lists the key by its prefix only.
    await page.reload();
    const row = page.getByRole('row', { name: /Reporting script/ });
    await row.waitFor();
    assert.equal(await page.getByRole('textbox', { name: /Secret of the new key/ }).count(), 0);
    assert.ok((await row.textContent())?.includes(secret.slice(0, 12)), 'the row shows the key prefix');
    assert.match((await row.textContent()) ?? '', /read-only/);

    await row.getByRole('button', { name: 'Revoke key Reporting script' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Reporting script”?' });
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('status').filter({ hasText: 'Key “Reporting script” is revoked' }).waitFor();
    await row.getByText('Revoked').waitFor();
    assert.equal((await call('/v1/contacts', secret)).status, 401);
  });

  test('API keys: custom grants from the checklist, field errors next to the field, rotation with an overlap', async () => {
    await open('/settings/api-keys', 'API keys');
    // Nothing typed in Name: the API's message appears at the field, and the choices made stay.
    await page.getByLabel('Custom: only the grants chosen below').check();
    await page.getByRole('checkbox', { name: 'contacts read' }).check();
    await page.getByRole('checkbox', { name: 'deals write' }).check();
    assert.equal(await page.getByRole('checkbox', { name: 'deals read' }).isChecked(), true, 'write includes read');
    await page.getByRole('button', { name: 'Create key' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await page.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const described = (await name.getAttribute('aria-describedby')) ?? '';
    assert.match((await page.locator(`[id="${described.split(' ').pop()}"]`).textContent()) ?? '', /\S/);
    assert.equal(await page.getByRole('checkbox', { name: 'deals write' }).isChecked(), true, 'the grants chosen are kept');
    await assertAccessible(page, 'API keys with a field error');

    await name.fill('Zapier');
    await page.getByRole('button', { name: 'Create key' }).click();
    const oldSecret = await page.getByRole('textbox', { name: 'Secret of the new key “Zapier”' }).inputValue();
    const row = page.getByRole('row', { name: /Zapier/ }).first();
    await row.getByText('contacts:read, deals:write').waitFor();
    assert.equal((await call('/v1/deals', oldSecret)).status, 200);
    assert.equal((await call('/v1/companies', oldSecret)).status, 403);

    await row.getByRole('button', { name: 'Rotate key Zapier' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate “Zapier”' });
    await dialog.getByLabel('Old key keeps working for').selectOption({ label: '1 hour' });
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    const newSecret = await page.getByRole('textbox', { name: /Secret of “Zapier”, replacing/ }).inputValue();
    assert.notEqual(newSecret, oldSecret);
    assert.equal((await call('/v1/deals', newSecret)).status, 200);
    assert.equal((await call('/v1/deals', oldSecret)).status, 200, 'the old key works during the overlap');
    await screenshot(page, 'settings-api-keys');
  });

  test('Webhooks: an endpoint gets a test event, the delivery log shows it with its bodies, and retry sends it again', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      await open('/settings/webhooks', 'Webhooks');
      await page.getByLabel('URL', { exact: true }).fill(`http://127.0.0.1:${receiver.port}/hooks/trellis`);
      await page.getByLabel('Description (optional)').fill('Test receiver');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByRole('textbox', { name: /Signing secret of/ }).inputValue();
      assert.match(secret, /^whsec_/);
      receiver.trust(secret);
      await assertAccessible(page, 'Webhooks with a new secret');

      await page.getByRole('button', { name: `Send test event to http://127.0.0.1:${receiver.port}/hooks/trellis` }).click();
      await waitFor(() => receiver.deliveries.find((delivery) => delivery.event?.type === 'ping'), 60_000, 'the ping at the receiver');
      assert.deepEqual(receiver.deliveries[0]?.verifiedWith, [secret], 'signed with the secret the page showed');

      const log = page.getByRole('region', { name: /Delivery log/ });
      const row = log.getByRole('row', { name: /ping/ });
      await row.getByText('succeeded').waitFor();
      await row.getByRole('cell', { name: '200' }).waitFor();
      await row.getByText('Request and response').click();
      await row.locator('pre').first().filter({ hasText: '"ping"' }).waitFor();
      await row.locator('pre').nth(1).filter({ hasText: 'HTTP 200' }).waitFor();
      await assertAccessible(page, 'Webhooks delivery log');
      await screenshot(page, 'settings-webhooks');

      await row.getByRole('button', { name: 'Retry the ping delivery' }).click();
      await waitFor(() => (receiver.deliveries.filter((delivery) => delivery.event?.type === 'ping').length >= 2 ? true : undefined), 60_000, 'the retried ping');
      await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    } finally {
      await receiver.close();
    }
  });

  test('Sandboxes: created with sample data, its trl_test_ key shown once, opened to its own records, deleted', async () => {
    const real = await createContact(tenant.api, { email: 'only-in-the-real-workspace@example.com' });
    await open('/settings/sandboxes', 'Sandboxes');
    await page.getByLabel('Name (optional)').fill('Integration tests');
    await page.getByRole('button', { name: 'Create sandbox' }).click();
    const key = await page.getByRole('textbox', { name: 'Key of the sandbox “Integration tests”' }).inputValue();
    assert.match(key, /^trl_test_/);

    await page.getByRole('button', { name: 'Open sandbox Integration tests' }).click();
    const inside = page.getByRole('region', { name: 'Inside “Integration tests”' });
    await inside.getByRole('table', { name: 'Contacts in the sandbox' }).waitFor();
    assert.ok(((await inside.getByRole('row').count()) ?? 0) > 1, 'sample contacts are listed');
    assert.equal(await inside.getByText(real.email).count(), 0, "the real workspace's contact is not in the sandbox");
    // And the other way round: the sandbox's records are not in the real workspace.
    const sandboxContacts = (await (await call('/v1/contacts?limit=1', key)).json()) as { meta: { total: number } };
    const realContacts = (await (await call('/v1/contacts?limit=1', tenant.key)).json()) as { meta: { total: number } };
    assert.ok(sandboxContacts.meta.total > 0);
    assert.equal(realContacts.meta.total, 1);
    await assertAccessible(page, 'Sandboxes, opened');
    await screenshot(page, 'settings-sandboxes');

    await page.getByRole('button', { name: 'Delete sandbox Integration tests' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete sandbox' }).click();
    await page.getByRole('status').filter({ hasText: 'are deleted' }).waitFor();
    assert.equal((await call('/v1/contacts', key)).status, 401);
  });

  test('Users, Workspace, Profile and Events pages show what the API has and pass axe', async () => {
    const colleague = await createUser(tenant.api, { name: 'Cora Colleague', role: 'member' });
    await open('/settings/users', 'Users');
    const row = page.getByRole('row', { name: /Cora Colleague/ });
    await row.getByRole('combobox', { name: 'Role of Cora Colleague' }).selectOption('admin');
    await page.getByRole('status').filter({ hasText: 'Cora Colleague is now admin' }).waitFor();
    const user = (await (await call(`/v1/users/${colleague.id}`, tenant.key)).json()) as { data: { role: string } };
    assert.equal(user.data.role, 'admin');
    await row.getByRole('button', { name: 'Reset link for Cora Colleague' }).click();
    assert.match(await page.getByRole('textbox', { name: 'One-time link' }).inputValue(), /\/accept\/\S+$/);
    await assertAccessible(page, 'Users');
    await screenshot(page, 'settings-users');

    await open('/settings/workspace', 'Workspace');
    await page.getByRole('table').getByText('standard').waitFor();
    await assertAccessible(page, 'Workspace');
    await screenshot(page, 'settings-workspace');

    await open('/settings/profile', 'Profile');
    await page.getByRole('cell', { name: /this browser/ }).waitFor();
    await assertAccessible(page, 'Profile');
    await screenshot(page, 'settings-profile');

    const contact = await createContact(tenant.api, { first_name: 'Evita' });
    await open('/settings/events', 'Events');
    await page.getByLabel('Record id').fill(contact.id);
    await page.getByRole('button', { name: 'Filter' }).click();
    const event = page.getByRole('row', { name: /contact\.created/ });
    await event.waitFor();
    assert.equal(await page.getByRole('row').count(), 2, 'only the events of that record');
    await event.getByText('Show').click();
    await event.locator('pre').filter({ hasText: '"first_name": "Evita"' }).waitFor();
    await assertAccessible(page, 'Events');
    await screenshot(page, 'settings-events');
  });

  test('on a phone-sized screen the navigation is a menu and tables stack; keyboard alone works', async () => {
    const phone = await newContext(browser, { width: 390, height: 844 });
    try {
      const small = await phone.newPage();
      await signInWithForm(small, server.url, tenant.ownerEmail, PASSWORD, '/settings/api-keys');
      const menu = small.getByRole('button', { name: 'Menu' });
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      assert.equal(await small.getByRole('link', { name: 'Webhooks' }).isVisible(), false);
      // Keyboard only: focus the menu button, open it, follow a link.
      await menu.focus();
      await small.keyboard.press('Enter');
      await small.getByRole('link', { name: 'Webhooks' }).focus();
      await small.keyboard.press('Enter');
      await small.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      const width = await small.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling (page is ${width}px wide)`);
      await assertAccessible(small, 'Webhooks on a phone');
      await screenshot(small, 'settings-webhooks-phone');
    } finally {
      await phone.close();
    }
  });

  test('the pages reported no script errors', () => {
    assert.deepEqual(problems, []);
  });
});
