/**
 * Signing in, in Chromium against a real server: the owner's first sign-in
 * from the start-up banner's link, invite → accept → sign in as the member, a
 * member kept out of key and user management, wrong passwords and lock-outs,
 * used links, sign out everywhere ending another browser's session (whose
 * typed input survives), a cross-site form POST refused, and a server that
 * does not answer.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, ensureWebApp, givePassword, launchBrowser, newContext, noBrowser, screenshot, signInWithForm, watchPage } from '../helpers/browser.js';
import { createTenant, unique, type Tenant } from '../helpers/factories.js';
import { startServerProcess } from '../helpers/process.js';
import { startServer, testEnv, type TestServer } from '../helpers/server.js';

const PASSWORD = 'owner password, long enough';

let server: TestServer;
let tenant: Tenant;
let browser: Browser;
const problems: string[] = [];

before(async () => {
  if (noBrowser) return;
  ensureWebApp();
  server = await startServer();
  tenant = await createTenant(server);
  await givePassword(server.url, tenant.key, tenant.ownerId, PASSWORD);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function ownerPage(): Promise<Page> {
  const context = await newContext(browser);
  const page = await context.newPage();
  watchPage(page, problems);
  await signInWithForm(page, server.url, tenant.ownerEmail, PASSWORD);
  return page;
}

const invitationsOf = async (key: string) => ((await (await fetch(`${server.url}/v1/invitations`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: Array<{ email: string }> }).data;

describe('Signing in, in the browser', { skip: noBrowser }, () => {
  test('the owner signs in the first time from the link the first start prints', async () => {
    const { env, cleanup } = testEnv({ TRELLIS_BOOTSTRAP_EMAIL: 'first@example.com' });
    const started = await startServerProcess(env, 180_000);
    const context = await newContext(browser);
    try {
      const link = /(http:\/\/\S+\/accept\/[A-Za-z0-9_-]+)/.exec(started.output())?.[1];
      assert.ok(link, `no link in the banner:\n${started.output()}`);
      const page = await context.newPage();
      watchPage(page, problems);
      await page.goto(link);
      await page.getByRole('heading', { name: 'Set the owner’s password' }).waitFor();
      await page.getByText('first@example.com').waitFor();
      await assertAccessible(page, 'the first-start link');
      await screenshot(page, 'accept-bootstrap-link');

      // Too short: the API's message at the field, the typed text kept.
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByLabel('Repeat the password').fill('short');
      await page.getByRole('button', { name: 'Save password and sign in' }).click();
      await page.getByText(/10/).and(page.locator('.field-error')).waitFor();
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), 'short');

      await page.getByLabel('Password', { exact: true }).fill('the owner’s first password');
      await page.getByLabel('Repeat the password').fill('the owner’s first password');
      await page.getByRole('button', { name: 'Save password and sign in' }).click();
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
      await page.getByRole('banner').getByText('My workspace').waitFor();

      // Signed out, then in again with the new password.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Trellis' }).waitFor();
      await signInWithForm(page, started.url, 'first@example.com', 'the owner’s first password');

      // The link worked once.
      await page.goto(link);
      await page.getByRole('alert').filter({ hasText: 'already been used' }).waitFor();
    } finally {
      await context.close();
      started.child.kill('SIGTERM');
      await started.exited;
      await cleanup();
    }
  });

  test('invite → accept → sign in as the member, who cannot open key or user management', async () => {
    const owner = await ownerPage();
    const email = `${unique('member-')}@example.com`;
    await owner.goto(`${server.url}/settings/users`);
    await owner.getByLabel('Email').fill(email);
    await owner.getByLabel('Role').selectOption('member');
    await owner.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await owner.getByRole('textbox', { name: 'One-time link' }).inputValue();
    assert.match(link, /\/accept\/[A-Za-z0-9_-]+$/);
    await owner.getByRole('row', { name: new RegExp(email) }).waitFor();

    const memberContext = await newContext(browser);
    const member = await memberContext.newPage();
    watchPage(member, problems);
    await member.goto(link);
    await member.getByRole('heading', { name: 'Join the workspace' }).waitFor();
    await assertAccessible(member, 'an invitation');
    await member.getByLabel('Your name').fill('Mia Member');
    await member.getByLabel('Password', { exact: true }).fill('member password 123');
    await member.getByLabel('Repeat the password').fill('member password 123');
    await member.getByRole('button', { name: 'Join and sign in' }).click();
    await member.getByRole('banner').getByText('Mia Member').waitFor();
    await member.getByRole('banner').getByText('member', { exact: true }).waitFor();

    // Their navigation offers no key or user management, and the pages say why.
    const nav = member.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Profile' }).waitFor();
    for (const name of ['API keys', 'Users', 'Webhooks', 'Sandboxes']) assert.equal(await nav.getByRole('link', { name }).count(), 0, `${name} is not offered`);
    for (const [path, title] of [
      ['/settings/api-keys', 'API keys'],
      ['/settings/users', 'Users'],
    ]) {
      await member.goto(`${server.url}${path}`);
      await member.getByRole('alert').filter({ hasText: `Only the workspace’s owners and admins can open ${title}` }).waitFor();
    }
    await assertAccessible(member, 'a page a member may not open');
    // Their session is refused by the API as well.
    const refused = await member.evaluate(async () => (await fetch('/v1/api-keys')).status);
    assert.equal(refused, 403);

    // Sign out, and back in with the keyboard alone.
    await member.getByRole('button', { name: 'Sign out', exact: true }).click();
    await member.getByRole('heading', { name: 'Sign in to Trellis' }).waitFor();
    await member.getByLabel('Email').focus();
    await member.keyboard.type(email);
    await member.keyboard.press('Tab');
    await member.keyboard.type('member password 123');
    await member.keyboard.press('Enter');
    await member.getByRole('banner').getByText('Mia Member').waitFor();
    await memberContext.close();

    // The invitation is used up.
    const again = await (await newContext(browser)).newPage();
    await again.goto(link);
    await again.getByRole('alert').filter({ hasText: 'already been used' }).waitFor();
    await assertAccessible(again, 'a used link');
    await again.context().close();
    await owner.context().close();
  });

  test('a wrong password says so and keeps the email; repeated failures lock out with the time to wait', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    watchPage(page, problems);
    await page.goto(`${server.url}/sign-in`);
    await assertAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    const email = `${unique('nobody-')}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /email or password/i);
    assert.equal(await page.getByLabel('Email').inputValue(), email);
    await assertAccessible(page, 'sign-in with an error');

    for (let attempt = 0; attempt < 6 && !/try again in/i.test((await alert.textContent()) ?? ''); attempt++) {
      const before = await alert.textContent();
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Each answer replaces the message (its request id changes).
      await page.waitForFunction((previous) => (globalThis as any).document.querySelector('[role="alert"]')?.textContent !== previous, before);
    }
    assert.match((await alert.textContent()) ?? '', /Too many.*try again in \d+ s/s);
    await context.close();
  });

  test('sign out everywhere ends the session in another browser, which asks to sign in again and keeps what was typed', async () => {
    const first = await ownerPage();
    const second = await ownerPage();
    await second.goto(`${server.url}/settings/users`);
    const typed = `${unique('half-typed-')}@example.com`;
    await second.getByLabel('Email').fill(typed);

    await first.goto(`${server.url}/settings/profile`);
    await first.getByRole('button', { name: 'Sign out everywhere' }).click();
    await first.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await first.getByRole('heading', { name: 'Sign in to Trellis' }).waitFor();

    await second.getByRole('button', { name: 'Create invitation link' }).click();
    const dialog = second.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    await assertAccessible(second, 'the session-ended dialog');
    assert.equal(await second.getByLabel('Email').inputValue(), typed, 'the form behind the dialog keeps its text');
    assert.deepEqual(await invitationsOf(tenant.key).then((list) => list.filter((invitation) => invitation.email === typed)), []);

    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in again' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await second.getByRole('button', { name: 'Create invitation link' }).click();
    await second.getByRole('textbox', { name: 'One-time link' }).waitFor();
    assert.equal((await invitationsOf(tenant.key)).filter((invitation) => invitation.email === typed).length, 1);
    await first.context().close();
    await second.context().close();
  });

  test('a form POST from another site, with the session cookie, is refused', async () => {
    const page = await ownerPage();
    const target = `${server.url}/v1/invitations`;
    // Same site (127.0.0.1, another port), so SameSite=Lax still sends the cookie: the CSRF check must stop it.
    const evil = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html lang="en"><title>Win a prize</title><body>
        <form method="POST" action="${target}" enctype="text/plain"><input name='{"email":"attacker@example.com","role":"admin","x":"' value='"}'></form>
        <script>document.forms[0].submit()</script></body></html>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const answer = page.waitForResponse((response) => response.url() === target);
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const response = await answer;
      assert.equal(response.status(), 403);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'csrf_failed');
      assert.deepEqual((await invitationsOf(tenant.key)).filter((invitation) => invitation.email === 'attacker@example.com'), []);
    } finally {
      await new Promise((resolve) => evil.close(resolve));
      await page.context().close();
    }
  });

  test('a server that does not answer is said so, and nothing typed is lost', async () => {
    const page = await ownerPage();
    await page.goto(`${server.url}/settings/profile`);
    const name = page.getByLabel('Your name');
    await name.fill('Olive Renamed');
    // The browser finds no server (connection refused) until the route is lifted.
    await page.context().route('**/v1/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('alert').filter({ hasText: 'Trellis does not answer' }).waitFor();
    assert.equal(await name.inputValue(), 'Olive Renamed');
    await assertAccessible(page, 'Profile with the server down');
    await page.context().unroute('**/v1/**');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByRole('banner').getByText('Olive Renamed').waitFor();
    await page.context().close();
  });

  test('the pages reported no script errors', () => {
    assert.deepEqual(problems, []);
  });
});
