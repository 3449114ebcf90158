/**
 * The sales workspace in Chromium against a real server and real data,
 * signed in as the workspace's owner: the pipeline board (drag, keyboard,
 * moves by another client shown live, a stale move's conflict notice), lead
 * conversion, activities on every linked record's timeline, tasks, reports
 * matching the API, Ctrl-K search, duplicate links and merging. Each page
 * passes axe-core; the board, a record page and a report are photographed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, ensureWebApp, givePassword, launchBrowser, newContext, noBrowser, screenshot, signInWithForm, watchPage } from '../helpers/browser.js';
import { createContact, createTenant, createUser, unique, type Tenant } from '../helpers/factories.js';
import { startServer, type TestServer } from '../helpers/server.js';

const PASSWORD = 'a long enough owner password';

let server: TestServer;
let tenant: Tenant;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let stages: { id: string; name: string; type: string }[];

before(async () => {
  if (noBrowser) return;
  ensureWebApp();
  server = await startServer();
  tenant = await createTenant(server);
  await givePassword(server.url, tenant.key, tenant.ownerId, PASSWORD);
  const pipelines = await tenant.api.get('/v1/pipelines');
  stages = pipelines.body.data.find((p: { is_default: boolean }) => p.is_default).stages;
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  problems = watchPage(page);
  await signInWithForm(page, server.url, tenant.ownerEmail, PASSWORD, '/pipeline');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const pad = (n: number): string => String(n).padStart(2, '0');

async function open(path: string, heading: string | RegExp, on: Page = page): Promise<void> {
  await on.goto(`${server.url}${path}`);
  await on.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function deal(body: Record<string, unknown>): Promise<any> {
  const response = await tenant.api.post('/v1/deals', { name: unique('Deal '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

const column = (on: Page, stageName: string) => on.getByRole('listitem').filter({ has: on.getByRole('heading', { level: 2, name: stageName, exact: true }) });
const card = (on: Page, stageName: string, dealName: string) => column(on, stageName).getByRole('listitem', { name: dealName });

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the sales workspace in the browser', { skip: noBrowser }, () => {
  test('a stale move gets the conflict notice and the card reloads, never overwriting', async () => {
    const [first, second, third] = stages as [any, any, any];
    const stale = await deal({ name: unique('Stale deal '), stage_id: first.id, value: { amount: 120000, currency: 'EUR' } });
    // This board's live connection is down, so it does not learn of the change below.
    const offline = await context.newPage();
    await offline.route('**/v1/events/stream**', (route) => route.abort());
    await open('/pipeline', 'Pipeline', offline);
    await card(offline, first.name, stale.name).waitFor();
    const moved = await tenant.api.post(`/v1/deals/${stale.id}/move`, { stage_id: second.id });
    assert.equal(moved.status, 200, moved.text);

    await card(offline, first.name, stale.name).getByLabel(`Move ${stale.name} to`).selectOption({ label: third.name });
    await offline.getByRole('alert').filter({ hasText: `“${stale.name}” was changed by someone else` }).waitFor();
    await card(offline, second.name, stale.name).waitFor();
    const now = await tenant.api.get(`/v1/deals/${stale.id}`);
    assert.equal(now.body.data.stage_id, second.id, 'the stale move did not overwrite');
    await assertAccessible(offline, 'the board with a conflict notice');
    await offline.close();
  });

  test('drag a deal to the next stage: the API shows the stage change and a deal.stage_changed event', async () => {
    const [first, second] = stages as [any, any];
    const dragged = await deal({ name: unique('Dragged deal '), stage_id: first.id, value: { amount: 250000, currency: 'USD' }, expected_close_date: '2027-01-31' });
    await deal({ name: unique('Pound deal '), stage_id: first.id, value: { amount: 9900, currency: 'GBP' } });
    await open('/pipeline', 'Pipeline');
    await card(page, first.name, dragged.name).dragTo(column(page, second.name));
    await card(page, second.name, dragged.name).waitFor();
    const history = await tenant.api.get(`/v1/deals/${dragged.id}/history`);
    assert.deepEqual(
      history.body.data.map((h: any) => h.to_stage_id),
      [first.id, second.id],
    );
    const events = await tenant.api.get(`/v1/events?record_id=${dragged.id}&type=deal.stage_changed`);
    assert.equal(events.body.data.length, 1);
    // Column totals are per currency, never summed across them.
    const totals = (await column(page, first.name).locator('.totals').textContent()) ?? '';
    assert.match(totals, /£99\.00/);
    await assertAccessible(page, 'the pipeline board');
    await screenshot(page, 'sales-pipeline-board');
  });

  test('moves with the keyboard, and marks a deal lost with a reason', async () => {
    const [first, second] = stages as [any, any];
    const lost = stages.find((s) => s.type === 'lost') as any;
    const keyed = await deal({ name: unique('Keyboard deal '), stage_id: first.id });
    await open('/pipeline', 'Pipeline');
    const select = card(page, first.name, keyed.name).getByLabel(`Move ${keyed.name} to`);
    await select.focus();
    await select.selectOption({ label: second.name });
    await card(page, second.name, keyed.name).waitFor();
    await card(page, second.name, keyed.name).getByLabel(`Move ${keyed.name} to`).selectOption({ label: `Lost (${lost.name})` });
    const dialog = page.getByRole('dialog', { name: `Mark “${keyed.name}” lost` });
    await dialog.getByLabel('Reason').fill('Went with a competitor');
    await dialog.getByRole('button', { name: 'Mark lost' }).click();
    await waitUntil(async () => (await tenant.api.get(`/v1/deals/${keyed.id}`)).body.data.status === 'lost', 'the deal to be lost');
    assert.equal((await tenant.api.get(`/v1/deals/${keyed.id}`)).body.data.lost_reason, 'Went with a competitor');
  });

  test('a move by a second client appears on the open board without reloading', async () => {
    const [first, second] = stages as [any, any];
    const remote = await deal({ name: unique('Remote deal '), stage_id: first.id });
    await open('/pipeline', 'Pipeline');
    await card(page, first.name, remote.name).waitFor();
    const moved = await tenant.api.post(`/v1/deals/${remote.id}/move`, { stage_id: second.id });
    assert.equal(moved.status, 200, moved.text);
    await card(page, second.name, remote.name).waitFor();
    assert.equal(await card(page, first.name, remote.name).count(), 0);
  });

  test('convert a lead and land on the new deal', async () => {
    const lead = await tenant.api.post('/v1/leads', { first_name: 'Lena', last_name: unique('Lead'), email: `${unique('lena-')}@example.com`, company_name: unique('Lena Co '), source: 'snapcrm' });
    assert.equal(lead.status, 201, lead.text);
    await open('/leads', 'Leads');
    await page.getByRole('button', { name: `Convert Lena ${lead.body.data.last_name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Convert Lena ${lead.body.data.last_name}` });
    await assertAccessible(page, 'the convert dialog');
    await dialog.getByLabel('Deal value').fill('5000');
    await dialog.getByRole('button', { name: 'Convert lead' }).click();
    await page.waitForURL(/\/deals\/deal_/);
    await page.getByRole('heading', { level: 1, name: lead.body.data.company_name }).waitFor();
    const converted = await tenant.api.get(`/v1/leads/${lead.body.data.id}`);
    assert.equal(converted.body.data.status, 'converted');
    assert.ok(page.url().endsWith(`/deals/${converted.body.data.converted_deal_id}`));
  });

  test('log an activity on a deal and see it on the timeline of the deal, its contact and its company', async () => {
    const company = await tenant.api.post('/v1/companies', { name: unique('Timeline Co '), domain: `${unique('t')}.com` });
    const contact = await createContact(tenant.api, { company_id: company.body.data.id });
    const linked = await deal({ name: unique('Timeline deal '), company_id: company.body.data.id, contact_ids: [contact.id] });
    await open(`/deals/${linked.id}`, linked.name);
    const subject = unique('Discovery call ');
    const form = page.getByRole('form', { name: 'Log activity' });
    await form.getByLabel('Subject').fill(subject);
    await form.getByLabel('Notes').fill('Budget approved for Q1.');
    await form.getByRole('button', { name: 'Log call' }).click();
    await page.getByRole('listitem').filter({ hasText: subject }).waitFor();
    await assertAccessible(page, 'a deal page');
    await screenshot(page, 'sales-deal-page');
    for (const path of [`/contacts/${contact.id}`, `/companies/${company.body.data.id}`]) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('listitem').filter({ hasText: subject }).waitFor();
    }
    await assertAccessible(page, 'a company page');
  });

  test('complete a task in My tasks', async () => {
    const task = await tenant.api.post('/v1/tasks', { title: unique('Send the proposal '), assignee_id: tenant.ownerId, due_at: new Date(Date.now() - 3_600_000).toISOString() });
    assert.equal(task.status, 201, task.text);
    await open('/tasks', 'My tasks');
    const overdue = page.getByRole('region', { name: 'Overdue' });
    await overdue.getByText(task.body.data.title).waitFor();
    await assertAccessible(page, 'my tasks');
    await page.getByRole('button', { name: `Complete ${task.body.data.title}` }).click();
    await waitUntil(async () => (await tenant.api.get(`/v1/tasks/${task.body.data.id}`)).body.data.status === 'completed', 'the task to be completed');
    await overdue.getByText(task.body.data.title).waitFor({ state: 'detached' });
  });

  test('create a task in My tasks: an empty title is said next to the field, and the task lands under Today, assigned to me', async () => {
    await open('/tasks', 'My tasks');
    const form = page.getByRole('form', { name: 'New task' });
    await form.getByRole('button', { name: 'Create task' }).click();
    const titleField = form.getByLabel('Title');
    await waitUntil(async () => (await titleField.getAttribute('aria-invalid')) === 'true', 'the empty title to be marked invalid');
    const title = unique('Call back the buyer ');
    await titleField.fill(title);
    // Later today in the browser's time zone (UTC, see newContext).
    const due = new Date(Date.now() + 60_000);
    const local = `${due.getUTCFullYear()}-${pad(due.getUTCMonth() + 1)}-${pad(due.getUTCDate())}T23:59`;
    await form.getByLabel('Due').fill(local);
    await form.getByLabel('Priority').selectOption({ label: 'High' });
    await form.getByRole('button', { name: 'Create task' }).click();
    await form.getByRole('status').filter({ hasText: title }).waitFor();
    await page.getByRole('region', { name: 'Today' }).getByText(title).waitFor();
    const listed = await tenant.api.get(`/v1/tasks?assignee_id=${tenant.ownerId}&limit=100`);
    const task = listed.body.data.find((t: { title: string }) => t.title === title);
    assert.ok(task, 'the task exists through the API');
    assert.equal(task.priority, 'high');
    assert.equal(task.due_at, `${local}:00.000Z`, 'the due time is the local time the person chose');
    await assertAccessible(page, 'my tasks with the new-task form');
    await screenshot(page, 'sales-my-tasks');
  });

  test('reschedule a task in My tasks; an edit made stale by another change is refused and stores nothing', async () => {
    // Days in the browser's time zone (UTC, see newContext).
    const endOfToday = new Date();
    endOfToday.setUTCHours(23, 59, 0, 0);
    const created = await tenant.api.post('/v1/tasks', { title: unique('Follow up '), assignee_id: tenant.ownerId, due_at: endOfToday.toISOString() });
    assert.equal(created.status, 201, created.text);
    const { id, title } = created.body.data;
    await open('/tasks', 'My tasks');
    await page.getByRole('region', { name: 'Today' }).getByText(title).waitFor();
    await page.getByRole('button', { name: `Edit ${title}` }).click();
    const form = page.getByRole('form', { name: `Edit task ${title}` });
    const tomorrow = new Date(endOfToday.getTime() + 86_400_000);
    const local = `${tomorrow.getUTCFullYear()}-${pad(tomorrow.getUTCMonth() + 1)}-${pad(tomorrow.getUTCDate())}T10:30`;
    await form.getByLabel('Due').fill(local);
    await form.getByLabel('Priority').selectOption({ label: 'Low' });
    await assertAccessible(page, 'a task being edited');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('region', { name: 'Upcoming' }).getByText(title).waitFor();
    const moved = (await tenant.api.get(`/v1/tasks/${id}`)).body.data;
    assert.equal(moved.due_at, `${local}:00.000Z`);
    assert.equal(moved.priority, 'low');

    await page.getByRole('button', { name: `Edit ${title}` }).click();
    const stale = page.getByRole('form', { name: `Edit task ${title}` });
    const renamed = unique('Renamed elsewhere ');
    assert.equal((await tenant.api.patch(`/v1/tasks/${id}`, { title: renamed })).status, 200);
    await stale.getByLabel('Priority').selectOption({ label: 'High' });
    await stale.getByRole('button', { name: 'Save' }).click();
    await stale.getByRole('alert').filter({ hasText: 'Could not save the task.' }).waitFor();
    const kept = (await tenant.api.get(`/v1/tasks/${id}`)).body.data;
    assert.equal(kept.title, renamed, 'the other change stands');
    assert.equal(kept.priority, 'low', 'the stale edit stored nothing');
  });

  test("create a task on a contact's page: it is linked to the contact and shows on its timeline", async () => {
    const contact = await createContact(tenant.api);
    await open(`/contacts/${contact.id}`, contact.first_name);
    const form = page.getByRole('form', { name: 'New task' });
    const title = unique('Send the contract ');
    await form.getByLabel('Title').fill(title);
    await form.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('listitem').filter({ hasText: title }).waitFor();
    const listed = await tenant.api.get(`/v1/tasks?contact_id=${contact.id}`);
    assert.deepEqual(
      listed.body.data.map((t: { title: string; assignee_id: string }) => [t.title, t.assignee_id]),
      [[title, tenant.ownerId]],
    );
  });

  test("edit a deal's value and owner: a bad amount is said next to the field and saves nothing; a good one is stored in minor units", async () => {
    const seller = await createUser(tenant.api, { name: unique('Sam Seller ') });
    const edited = await deal({ name: unique('Valued deal ') });
    await open(`/deals/${edited.id}`, edited.name);
    await page.getByRole('button', { name: 'Edit details' }).click();
    const form = page.getByRole('form', { name: 'Edit deal' });
    await form.getByLabel('Value').fill('12,500.5x');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText(/Enter an amount such as 12500.00/).waitFor();
    assert.equal((await form.getByLabel('Value').getAttribute('aria-invalid')), 'true');
    assert.equal((await tenant.api.get(`/v1/deals/${edited.id}`)).body.data.version, edited.version, 'nothing was saved');
    await form.getByLabel('Value').fill('12,500.50');
    await form.getByLabel('Currency').fill('eur');
    await form.getByLabel('Owner').selectOption({ label: seller.name });
    await assertAccessible(page, 'the deal edit form');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    const stored = (await tenant.api.get(`/v1/deals/${edited.id}`)).body.data;
    assert.deepEqual(stored.value, { amount: 1_250_050, currency: 'EUR' });
    assert.equal(stored.owner_id, seller.id);
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByText(seller.name).waitFor();
    await details.getByText(/12,500\.50/).waitFor();
  });

  test("a report's figures match the API's JSON for the same period", async () => {
    await open('/reports', 'Reports');
    const api = await tenant.api.get('/v1/reports/pipeline?group_by=stage&timezone=UTC');
    const table = page.getByRole('table', { name: 'Pipeline by stage' });
    await table.waitFor();
    for (const row of api.body.data.rows) {
      const cells = table.getByRole('row', { name: new RegExp(`^${row.stage_name}\\b`) });
      assert.equal((await cells.getByRole('cell').nth(1).textContent())?.trim(), String(row.open_deals), `${row.stage_name}: open deals`);
    }
    await assertAccessible(page, 'the pipeline report');
    await screenshot(page, 'sales-report-pipeline');
    await page.getByLabel('Report').selectOption({ label: 'Sales per month and owner' });
    await page.getByRole('table', { name: 'Sales per month and owner' }).waitFor();
    const sales = await tenant.api.get('/v1/reports/sales?interval=month&period=this_month&timezone=UTC');
    const won = sales.body.data.rows.reduce((n: number, r: any) => n + r.deals_won, 0);
    const shown = await page.getByRole('table', { name: 'Sales per month and owner' }).getByRole('row').count();
    assert.equal(shown - 1, sales.body.data.rows.length, 'one table row per API row');
    assert.ok(won >= 0);
    await assertAccessible(page, 'the sales report');
  });

  test('Ctrl-K search finds a contact by a prefix of its name and by any of its emails', async () => {
    const token = unique('q').slice(0, 8);
    const contact = await createContact(tenant.api, { first_name: `Xavia${token}`, last_name: 'Search', email: undefined, emails: [{ email: `work.${token}@corp.example.com` }, { email: `${token}home@example.org` }] });
    await open('/contacts', 'Contacts');
    for (const typed of [`xavia${token.slice(0, 2)}`, `work.${token.slice(0, 3)}`, `${token}ho`]) {
      await page.keyboard.press('Control+k');
      const dialog = page.getByRole('dialog', { name: 'Search' });
      await dialog.getByLabel('Search contacts, companies, leads and deals').fill(typed);
      await dialog.getByRole('button', { name: `Xavia${token} Search` }).waitFor();
      await assertAccessible(page, 'the search box');
      await dialog.getByRole('button', { name: `Xavia${token} Search` }).click();
      await page.waitForURL(new RegExp(`/contacts/${contact.id}$`));
    }
  });

  test('a duplicate email in the create form links to the existing contact', async () => {
    const existing = await createContact(tenant.api);
    await open('/contacts', 'Contacts');
    await assertAccessible(page, 'the contacts table');
    await page.getByRole('button', { name: 'New contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'New contact' });
    await dialog.getByLabel('First name').fill('Again');
    await dialog.getByLabel('Email').fill(existing.email);
    await dialog.getByRole('button', { name: 'Create contact' }).click();
    await dialog.getByRole('link', { name: 'Open the existing record' }).click();
    await page.waitForURL(new RegExp(`/contacts/${existing.id}$`));
  });

  test('merge two contacts, with a preview of what survives', async () => {
    const token = unique('m').slice(0, 8);
    const survivor = await createContact(tenant.api, { first_name: `Mona${token}`, last_name: 'Keep', title: null });
    const duplicate = await createContact(tenant.api, { first_name: `Mona${token}`, last_name: 'Dup', title: 'VP Sales' });
    await open(`/contacts/${survivor.id}`, `Mona${token} Keep`);
    await page.getByRole('button', { name: 'Merge a duplicate' }).click();
    const dialog = page.getByRole('dialog', { name: `Merge a duplicate into Mona${token} Keep` });
    await dialog.getByLabel('Find the duplicate').fill(`mona${token}`);
    await dialog.getByRole('button', { name: new RegExp(`Preview merging Mona${token} Dup`) }).click();
    const preview = dialog.getByRole('region', { name: 'What survives' });
    await preview.getByText('VP Sales').waitFor();
    assert.equal((await tenant.api.get(`/v1/contacts/${duplicate.id}`)).status, 200, 'the preview wrote nothing');
    await assertAccessible(page, 'the merge preview');
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await waitUntil(async () => (await tenant.api.get(`/v1/contacts/${duplicate.id}`)).status === 404, 'the duplicate to be gone');
    assert.equal((await tenant.api.get(`/v1/contacts/${survivor.id}`)).body.data.title, 'VP Sales');
  });

  test('on a phone-sized screen the contacts table and the board fit the screen, and a deal moves with its "Move to" list', async () => {
    const [first, second] = stages as [any, any];
    const moved = await deal({ name: unique('Phone deal '), stage_id: first.id });
    const listed = await createContact(tenant.api, { title: 'Head of Purchasing at a company with a long name' });
    const phone = await newContext(browser, { width: 390, height: 844 });
    try {
      const small = await phone.newPage();
      const phoneProblems = watchPage(small);
      await signInWithForm(small, server.url, tenant.ownerEmail, PASSWORD, '/contacts');
      await small.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
      await small.getByRole('table').getByText(listed.first_name).first().waitFor();
      const pageWidth = () => small.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
      assert.ok((await pageWidth()) <= 390, `contacts: no sideways scrolling of the page (${await pageWidth()}px wide)`);
      await assertAccessible(small, 'contacts on a phone');
      await small.goto(`${server.url}/pipeline`);
      await small.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
      // Nothing but the top bar above the page's heading (the closed menu takes no room).
      const gap = await small.evaluate(() => {
        const doc = (globalThis as any).document;
        return doc.querySelector('h1').getBoundingClientRect().top - doc.querySelector('.topbar').getBoundingClientRect().bottom;
      });
      assert.ok(gap < 60, `the heading sits ${gap}px below the top bar`);
      const select = card(small, first.name, moved.name).getByLabel(`Move ${moved.name} to`);
      await select.scrollIntoViewIfNeeded();
      await select.selectOption({ label: second.name });
      await waitUntil(async () => (await tenant.api.get(`/v1/deals/${moved.id}`)).body.data.stage_id === second.id, 'the deal to move');
      assert.ok((await pageWidth()) <= 390, `board: the columns scroll inside the board, not the page (${await pageWidth()}px wide)`);
      await assertAccessible(small, 'the board on a phone');
      await screenshot(small, 'sales-pipeline-phone');
      assert.deepEqual(phoneProblems, []);
    } finally {
      await phone.close();
    }
  });

  test('the page reported no errors', () => {
    assert.deepEqual(problems, []);
  });
});
