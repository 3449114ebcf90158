/**
 * The web app in a real browser for tests: Debian's Chromium (never a
 * downloaded one) driven by playwright-core, axe-core run inside the page for
 * accessibility, screenshots for docs/. When /usr/bin/chromium is missing the
 * browser tests skip and say why.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Why the browser tests cannot run here, or undefined when they can (`test(..., { skip: noBrowser })`). */
export const noBrowser: string | undefined = fs.existsSync(CHROMIUM)
  ? undefined
  : `browser tests skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM_PATH)`;

if (noBrowser) console.log(`# ${noBrowser}`);

/** Builds web/dist when its sources changed (npm test's pretest does it too; this covers running one file). */
export function ensureWebApp(): void {
  execFileSync(process.execPath, ['scripts/ensure-build.mjs', '--web'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  assert.ok(fs.existsSync(path.join(ROOT, 'web/dist/index.html')), 'web/dist/index.html was not built');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI runs as root in a container; the pages are our own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

/** A fresh browser profile (its own cookies) with patient waits: a loaded 2-core machine is slow. */
export async function newContext(browser: Browser, options: { width?: number; height?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(60_000);
  context.setDefaultNavigationTimeout(90_000);
  return context;
}

/** Runs axe-core in the page: no serious or critical violation, else the failure lists them. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  // Through the DevTools protocol, not a <script> tag: the app's CSP allows no inline script.
  if (!(await page.evaluate(() => typeof (globalThis as any).axe === 'object'))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const page = globalThis as any;
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return (result.violations as Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>)
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `accessibility problems on ${where}:\n${violations.join('\n')}`);
}

/**
 * A screenshot for docs/screenshots (UPDATE_SCREENSHOTS=1), else into a temporary
 * folder: each run's pages show other times and ids, and a test run should not
 * leave the checkout changed.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs/screenshots') : path.join(os.tmpdir(), 'trellis-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** Collects into `problems` what the page reports: uncaught errors, and console errors other than the failed requests a test provokes. */
export function watchPage(page: Page, problems: string[] = []): string[] {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // The browser logs each 4xx/5xx answer; those are the tests' own doing and checked by them.
    if (/Failed to load resource|the server responded with a status/.test(text)) return;
    problems.push(`console: ${text}`);
  });
  return problems;
}

/** Gives a user a password the way an admin would: a one-time link (by an owner's or admin's key), accepted over the API. */
export async function givePassword(baseUrl: string, adminKey: string, userId: string, password: string): Promise<void> {
  const link = await fetch(`${baseUrl}/v1/users/${userId}/password-link`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
  assert.equal(link.status, 201, await link.clone().text());
  const { url } = ((await link.json()) as { data: { url: string } }).data;
  const token = url.split('/accept/')[1] as string;
  const accepted = await fetch(`${baseUrl}/v1/auth/links/${token}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  assert.equal(accepted.status, 200, await accepted.text());
}

/** Signs in with the page's form, as a person would, and waits for the signed-in layout. */
export async function signInWithForm(page: Page, baseUrl: string, email: string, password: string, next = '/settings/profile'): Promise<void> {
  await page.goto(`${baseUrl}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}
