/**
 * The web app in Chromium over the seeded database (`--only browser`): how long
 * the contacts table's first page and the pipeline board's first screen take
 * to render after navigation, and how long search-as-you-type takes to show
 * results after the last key. Figures come from the page's own clocks (the
 * Navigation and Performance APIs), not from the driving process. Needs
 * Debian's Chromium (/usr/bin/chromium) and the built web app (web/dist).
 */
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserFigures {
  /** ms from navigation start to the first row of the contacts table, per run. */
  contactsFirstPage: number[];
  /** ms from navigation start to every open column of the board showing its cards or its empty note. */
  boardFirstScreen: number[];
  /** ms from the last key typed into the Ctrl-K box to its results shown. */
  searchAfterLastKey: number[];
  /** The initial JavaScript (the entry chunk), gzipped. */
  initialScriptBytes: number;
}

export const browserAvailable = (): string | undefined => (fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM}`);

/** ms from navigationStart until `selector` is in the page, measured in the page. */
async function renderTime(page: Page, url: string, ready: () => Promise<void>): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  await ready();
  return page.evaluate(() => performance.now());
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** `searchTerms`: one per search run (warm-up included), each a different record, so no run is answered from the one before. */
export async function benchBrowser(baseUrl: string, email: string, password: string, searchTerms: string[], runs: number): Promise<BrowserFigures> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(120_000);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/sign-in?next=%2Fcontacts`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();

    const figures: BrowserFigures = { contactsFirstPage: [], boardFirstScreen: [], searchAfterLastKey: [], initialScriptBytes: 0 };
    // A warm-up of each page (caches, the server's prepared statements), then the measured runs.
    for (let run = 0; run <= runs; run++) {
      const contacts = await renderTime(page, `${baseUrl}/contacts`, () => page.locator('table.data tbody tr').first().waitFor());
      const board = await renderTime(page, `${baseUrl}/pipeline`, async () => {
        await page.locator('.column').first().waitFor();
        await page.waitForFunction(() => {
          const d = (globalThis as any).document;
          return [...d.querySelectorAll('.column')].every((c: any) => c.querySelector('.deal-card, .empty'));
        });
      });
      if (run > 0) {
        figures.contactsFirstPage.push(contacts);
        figures.boardFirstScreen.push(board);
      }
    }
    // The entry chunk gzipped here (level 9, as a compressing proxy or CDN would send it; Trellis serves it as it is).
    const entries = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((name) => /\/assets\/index-[^/]+\.js$/.test(name)),
    );
    for (const url of new Set(entries)) figures.initialScriptBytes += gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer()), { level: 9 }).length;

    await page.goto(`${baseUrl}/contacts`);
    await page.locator('table.data tbody tr').first().waitFor();
    for (let run = 0; run <= runs; run++) {
      const searchTerm = searchTerms[run % searchTerms.length] as string;
      await page.keyboard.press('Control+k');
      const box = page.getByLabel('Search contacts, companies, leads and deals');
      await box.fill('');
      // The box shows nothing for an empty term: start from there, not from the previous run's results.
      await page.locator('ul.search-results').waitFor({ state: 'detached' });
      // The page notes when the last key went in, then looks for the results of the whole term. A string, not a
      // function: tsx would wrap a named function in a helper that the page does not have.
      await page.evaluate(`(() => {
        const term = ${JSON.stringify(searchTerm)};
        const input = document.getElementById('global-search');
        delete window.lastKeyAt;
        delete window.shownAt;
        input.addEventListener('input', () => {
          if (input.value !== term) return;
          window.lastKeyAt = performance.now();
          const look = () => {
            if (document.querySelector('ul.search-results[data-query="' + term + '"] li')) window.shownAt = performance.now();
            else setTimeout(look, 4);
          };
          look();
        });
      })()`);
      await box.pressSequentially(searchTerm, { delay: 60 });
      await page.waitForFunction(() => (globalThis as any).shownAt !== undefined);
      const ms = await page.evaluate(() => (globalThis as any).shownAt - (globalThis as any).lastKeyAt);
      if (run > 0) figures.searchAfterLastKey.push(ms);
      await page.keyboard.press('Escape');
    }
    return figures;
  } finally {
    await browser.close();
  }
}

export function browserTable(f: BrowserFigures): string {
  const line = (name: string, values: number[], target: number) =>
    `| ${name} | ${median(values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms | ${target} ms | ${median(values) <= target ? 'ok' : 'MISS'} |`;
  return [
    '| measure (Chromium, in-page clocks) | median | worst | target | |',
    '| --- | ---: | ---: | ---: | --- |',
    line('contacts table, first page after navigation', f.contactsFirstPage, 1000),
    line('pipeline board, first screen after navigation', f.boardFirstScreen, 1000),
    line('search results after the last key', f.searchAfterLastKey, 300),
    `| initial JavaScript (entry chunk, gzip) | ${(f.initialScriptBytes / 1024).toFixed(0)} KB | | 250 KB | ${f.initialScriptBytes <= 250 * 1024 ? 'ok' : 'MISS'} |`,
  ].join('\n');
}
