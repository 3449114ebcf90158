/**
 * The ES module build in a real browser (Debian's headless Chromium), as the
 * web app will use it: served by the same origin as the API (baseUrl ''),
 * native fetch, and webhook verification with the browser's WebCrypto.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { createContact, createTenant, type Tenant } from '../../../test/helpers/factories.js';

const CHROMIUM = '/usr/bin/chromium';
const dist = path.resolve(import.meta.dirname, '../dist/esm');
let server: TestServer;
let tenant: Tenant;
let site: http.Server;
let siteUrl: string;

/** The page: runs the SDK and writes what it got into <pre id="result">. */
const page = (apiKey: string, delivery: { body: string; headers: Record<string, string> }, secret: string) => `<!doctype html>
<html><body><pre id="result">pending</pre><script type="module">
import Trellis, { WebhookVerificationError } from '/sdk/index.js';
const out = {};
try {
  const client = new Trellis({ baseUrl: '', apiKey: ${JSON.stringify(apiKey)}, headers: () => ({ 'X-Request-Id': 'from-the-browser' }) });
  const page = await client.contacts.list({ limit: 1 });
  out.total = page.meta.total;
  out.all = (await client.contacts.list({ limit: 1 }).toArray()).length;
  try { await client.contacts.get('con_missing'); } catch (e) { out.error = [e.name, e.status, e.requestId]; }
  const event = await Trellis.webhooks.verify(${JSON.stringify(delivery.body)}, ${JSON.stringify(delivery.headers)}, ${JSON.stringify(secret)});
  out.event = event.type;
  try { await Trellis.webhooks.verify('{}', ${JSON.stringify(delivery.headers)}, ${JSON.stringify(secret)}); } catch (e) { out.tampered = e instanceof WebhookVerificationError; }
} catch (e) { out.failed = String(e); }
document.getElementById('result').textContent = JSON.stringify(out);
</script></body></html>`;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  await createContact(tenant.api);
  await createContact(tenant.api);
  const secret = `whsec_${Buffer.from('browser-test-secret-0123456789').toString('base64')}`;
  const body = JSON.stringify({ id: 'evt_browser', type: 'contact.created', data: {} });
  const now = new Date();
  const headers = { 'webhook-id': 'msg_browser', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_browser', now, body) };
  const html = page(tenant.key, { body, headers }, secret);
  // One origin for the page, the SDK's files and the API (proxied), as the web app is served.
  site = http.createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/') return response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    if (url.startsWith('/sdk/')) {
      const file = path.join(dist, path.normalize(url.slice('/sdk/'.length)));
      if (!file.startsWith(dist) || !fs.existsSync(file)) return response.writeHead(404).end();
      return response.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(file));
    }
    const upstream = http.request(`${server.url}${url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
});
after(async () => {
  await new Promise((resolve) => site.close(resolve));
  await server.close();
});

test('in Chromium, the ES module build lists, pages, raises typed errors and verifies webhooks with WebCrypto', async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-chromium-'));
  try {
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=15000', '--dump-dom', siteUrl],
      { timeout: 60_000 },
    );
    const result = /<pre id="result">(.*?)<\/pre>/s.exec(stdout)?.[1] ?? '';
    assert.deepEqual(JSON.parse(result.replace(/&quot;/g, '"').replace(/&amp;/g, '&')), {
      total: 2,
      all: 2,
      error: ['NotFoundError', 404, 'from-the-browser'],
      event: 'contact.created',
      tampered: true,
    });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
