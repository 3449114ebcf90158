/**
 * The web app as the server serves it (no browser needed): index.html for the
 * app's paths with the security headers, hashed assets cached for good, and
 * the API's paths untouched (their JSON 404s and 405s stay).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebApp } from './helpers/browser.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;

before(async () => {
  ensureWebApp();
  server = await startServer();
});
after(() => server.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

function assertSecurityHeaders(response: Response): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  const scripts = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
  assert.equal(scripts.trim(), "'self'", 'scripts only from the app itself: no inline, no eval');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
}

describe('the web app is served beside the API', () => {
  it('answers every app path with index.html and the security headers, never cached stale', async () => {
    for (const path of ['/', '/sign-in', '/accept/abc_DEF-123', '/settings/api-keys', '/pipeline?owner=me']) {
      const response = await get(path, { accept: 'text/html' });
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assertSecurityHeaders(response);
      const html = await response.text();
      assert.match(html, /<div id="root">/);
      // Every script is a file of the app's own: the CSP would block an inline one.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length > 0);
      for (const [, attributes, body] of scripts) {
        assert.match(attributes ?? '', /\bsrc="\/assets\//);
        assert.equal(body?.trim(), '');
      }
    }
  });

  it('serves the hashed assets with immutable caching and the same headers', async () => {
    const html = await (await get('/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script);
    const response = await get(script);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    assertSecurityHeaders(response);
  });

  it("leaves the API's paths to the API: JSON 404s and 405s, the docs and health checks", async () => {
    for (const path of ['/v1/no-such-thing', '/api/v1/nothing', '/functions/v1/api/nothing', '/assets/missing.js', '/openapi.yaml']) {
      const response = await get(path, { accept: 'text/html' });
      assert.equal(response.status, 404, path);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found', path);
    }
    // A script asking for JSON at a mistyped path gets the API's answer, not a page.
    const json = await get('/contacts', { accept: 'application/json' });
    assert.equal(json.status, 404);
    assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'not_found');
    const post = await fetch(`${server.url}/settings/api-keys`, { method: 'POST' });
    assert.equal(post.status, 404);
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/v1/openapi.json')).status, 200);
    const docs = await get('/docs');
    assert.equal(docs.status, 200);
    assert.equal(docs.headers.get('content-security-policy'), null, "the API reference is not the app's page");
  });
});
