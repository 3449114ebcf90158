/**
 * People sign in: passwords, browser sessions, CSRF, one-time links, roles,
 * over real HTTP against a real server and database (SQLite, or PostgreSQL
 * with DATABASE_URL). Each browser has a client address of its own, so
 * sign-in throttling is per test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lockSeconds } from '../src/auth/sign-in-throttle.js';
import type { ApiResponse } from './helpers/client.js';
import { createContact, createTenant, createUser, unique, type Tenant } from './helpers/factories.js';
import { startServerProcess } from './helpers/process.js';
import { Browser, randomAddress, signedIn, tokenOf } from './helpers/session.js';
import { startServer, testEnv, type TestServer } from './helpers/server.js';

const DAY = 86_400_000;
/** The server's clock, moved forward by tests of what happens days later. */
let offset = 0;
const clock = { now: () => Date.now() + offset };

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer({ TRUST_PROXY: 'true' }, { clock });
  tenant = await createTenant(server);
});
after(() => server.close());

function assertError(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.body?.error?.code, code, response.text);
}

/** A member of a fresh workspace (or of `tenant`), signed in. */
async function member(of: Tenant = tenant): Promise<{ browser: Browser; user: any }> {
  const user = await createUser(of.api, { role: 'member' });
  return { browser: await signedIn(server, of.api, user.id), user };
}

describe('signing in and out', () => {
  it('signs in with the password a one-time link set, and the session shows who, where and the CSRF token', async () => {
    const user = await createUser(tenant.api, { role: 'admin', name: 'Ada Admin' });
    const browser = await signedIn(server, tenant.api, user.id, 'a long enough password');
    const again = new Browser(server.url);
    const signIn = await again.signIn(user.email.toUpperCase(), 'a long enough password');
    assert.equal(signIn.status, 200, signIn.text);
    const session = await again.get('/v1/auth/session');
    assert.equal(session.status, 200, session.text);
    assert.equal(session.body.data.user.email, user.email);
    assert.equal(session.body.data.user.role, 'admin');
    assert.equal(session.body.data.workspace.id, tenant.workspaceId);
    assert.equal(session.body.data.csrf_token, signIn.body.data.csrf_token);
    assert.notEqual(session.body.data.id, (await browser.get('/v1/auth/session')).body.data.id);
    // A session reads the API like a key of its user.
    const contacts = await again.get('/v1/contacts');
    assert.equal(contacts.status, 200, contacts.text);
    const me = await again.get('/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.data.user.id, user.id);
    assert.equal(me.body.data.api_key, null);
    // Other doors take keys only.
    assert.equal((await again.post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { accept: 'application/json, text/event-stream' })).status, 401);
  });

  it('sets the cookie HttpOnly, SameSite=Lax, for 14 days, and Secure only over HTTPS', async () => {
    const user = await createUser(tenant.api);
    const link = await tenant.api.post(`/v1/users/${user.id}/password-link`);
    const browser = new Browser(server.url);
    const accepted = await browser.accept(tokenOf(link.body.data.url), { password: 'a long enough password' });
    const cookie = accepted.headers.getSetCookie().find((c) => c.startsWith('trellis_session='));
    assert.ok(cookie, accepted.text);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, new RegExp(`Max-Age=${14 * 86_400}`));
    assert.doesNotMatch(cookie, /Secure/i);
    // Behind a trusted proxy that terminated HTTPS.
    const secure = await browser.signIn(user.email, 'a long enough password');
    assert.equal(secure.status, 200);
    const overHttps = await browser.post('/v1/auth/sign-in', { email: user.email, password: 'a long enough password' }, { 'x-forwarded-proto': 'https', origin: undefined });
    assert.equal(overHttps.status, 200, overHttps.text);
    assert.match(overHttps.headers.getSetCookie().join('\n'), /trellis_session=[^;]+;.*Secure/i);
  });

  it('signs out: the cookie is cleared and the old cookie is refused at once', async () => {
    const { browser } = await member();
    const stolen = browser.cookie;
    const out = await browser.post('/v1/auth/sign-out');
    assert.equal(out.status, 200, out.text);
    assert.equal(out.body.data.signed_out, true);
    assert.equal(browser.cookie, undefined);
    browser.cookie = stolen;
    assertError(await browser.get('/v1/auth/session'), 401, 'unauthorized');
    assertError(await browser.get('/v1/contacts'), 401, 'unauthorized');
  });

  it('answers a wrong password and an unknown email with the same message', async () => {
    const user = await createUser(tenant.api);
    await signedIn(server, tenant.api, user.id, 'the right password');
    const wrongPassword = await new Browser(server.url).signIn(user.email, 'not the right password');
    const unknownEmail = await new Browser(server.url).signIn(`${unique('nobody-')}@example.com`, 'the right password');
    assertError(wrongPassword, 401, 'invalid_credentials');
    assertError(unknownEmail, 401, 'invalid_credentials');
    assert.equal(wrongPassword.body.error.message, unknownEmail.body.error.message);
    assert.equal(wrongPassword.headers.get('set-cookie'), null);
  });

  it('refuses a password that is too short or too long, naming the field', async () => {
    const user = await createUser(tenant.api);
    const link = await tenant.api.post(`/v1/users/${user.id}/password-link`);
    const browser = new Browser(server.url);
    const short = await browser.accept(tokenOf(link.body.data.url), { password: 'short' });
    assertError(short, 400, 'validation_error');
    assert.ok(short.body.error.details.password, short.text);
    const long = await browser.accept(tokenOf(link.body.data.url), { password: 'x'.repeat(201) });
    assertError(long, 400, 'validation_error');
    assert.ok(long.body.error.details.password, long.text);
    // Nothing was used up: the link still works.
    assert.equal((await browser.accept(tokenOf(link.body.data.url), { password: 'now a good password' })).status, 200);
  });
});

describe('sign-in throttling', () => {
  it('locks an email out after repeated failures, with Retry-After and the time in the message, even for the right password', async () => {
    const user = await createUser(tenant.api);
    await signedIn(server, tenant.api, user.id, 'the right password');
    for (let attempt = 1; attempt <= 4; attempt++) {
      // Each attempt from another address: the email alone is what gets locked.
      assertError(await new Browser(server.url).signIn(user.email, `wrong ${attempt} password`), 401, 'invalid_credentials');
    }
    const fifth = await new Browser(server.url).signIn(user.email, 'wrong 5 password');
    assertError(fifth, 429, 'rate_limited');
    const locked = await new Browser(server.url).signIn(user.email, 'the right password');
    assertError(locked, 429, 'rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After: ${retryAfter}`);
    assert.match(locked.body.error.message, /try again in \d+ s \(at \d\d:\d\d:\d\d UTC\)/);
    // Someone else at the same time is not locked out.
    const other = await createUser(tenant.api);
    await signedIn(server, tenant.api, other.id, 'the right password');
    assert.equal((await new Browser(server.url).signIn(other.email, 'the right password')).status, 200);
  });

  it('locks a client address out after many failures across emails', async () => {
    const address = randomAddress();
    for (let attempt = 1; attempt < 20; attempt++) {
      assertError(await new Browser(server.url, { address }).signIn(`${unique('guess-')}@example.com`, 'some password here'), 401, 'invalid_credentials');
    }
    assertError(await new Browser(server.url, { address }).signIn(`${unique('guess-')}@example.com`, 'some password here'), 429, 'rate_limited');
    const next = await new Browser(server.url, { address }).signIn(tenant.ownerEmail, 'some password here');
    assertError(next, 429, 'rate_limited');
    assert.match(next.body.error.message, /your address/);
    assert.ok(Number(next.headers.get('retry-after')) >= 1);
  });

  it('doubles the lock-out with each further failure, up to 15 minutes', () => {
    assert.deepEqual([4, 5, 6, 7, 8].map((failures) => lockSeconds(failures, 5)), [0, 30, 60, 120, 240]);
    assert.equal(lockSeconds(40, 5), 900);
  });
});

describe('session lifetime and revocation', () => {
  it('lasts 14 days from the last use (sliding), then is refused', async () => {
    const { browser } = await member();
    try {
      offset = 10 * DAY;
      assert.equal((await browser.get('/v1/auth/session')).status, 200);
      offset = 20 * DAY;
      const slid = await browser.get('/v1/auth/session');
      assert.equal(slid.status, 200, 'used 10 days ago: still signed in');
      assert.ok(Date.parse(slid.body.data.expires_at) > Date.now() + 33 * DAY);
      offset = 35 * DAY;
      assertError(await browser.get('/v1/auth/session'), 401, 'unauthorized');
    } finally {
      offset = 0;
    }
  });

  it('lists the user\'s sessions and revokes another one: its next request is refused', async () => {
    const user = await createUser(tenant.api);
    const laptop = await signedIn(server, tenant.api, user.id, 'the right password');
    const phone = new Browser(server.url);
    assert.equal((await phone.signIn(user.email, 'the right password')).status, 200);
    const sessions = await laptop.get('/v1/auth/sessions');
    assert.equal(sessions.status, 200, sessions.text);
    assert.equal(sessions.body.data.length, 2);
    const current = sessions.body.data.find((s: any) => s.current);
    const other = sessions.body.data.find((s: any) => !s.current);
    assert.equal(current.id, (await laptop.get('/v1/auth/session')).body.data.id);
    assert.equal(other.ip, phone.address);
    const revoked = await laptop.delete(`/v1/auth/sessions/${other.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assertError(await phone.get('/v1/contacts'), 401, 'unauthorized');
    assert.equal((await laptop.get('/v1/contacts')).status, 200);
  });

  it('signs out everywhere: every session of the user ends, others\' stay', async () => {
    const user = await createUser(tenant.api);
    const first = await signedIn(server, tenant.api, user.id, 'the right password');
    const second = new Browser(server.url);
    await second.signIn(user.email, 'the right password');
    const bystander = (await member()).browser;
    const out = await first.post('/v1/auth/sign-out-everywhere');
    assert.equal(out.status, 200, out.text);
    assert.equal(out.body.data.sessions_ended, 2);
    assertError(await first.get('/v1/auth/session'), 401, 'unauthorized');
    assertError(await second.get('/v1/auth/session'), 401, 'unauthorized');
    assert.equal((await bystander.get('/v1/auth/session')).status, 200);
  });

  it('ends a deleted user\'s sessions at once', async () => {
    const { browser, user } = await member();
    assert.equal((await tenant.api.delete(`/v1/users/${user.id}`)).status, 200);
    assertError(await browser.get('/v1/contacts'), 401, 'unauthorized');
  });

  it('changes the password with the current one; the user\'s other sessions end', async () => {
    const user = await createUser(tenant.api);
    const here = await signedIn(server, tenant.api, user.id, 'the old password');
    const elsewhere = new Browser(server.url);
    await elsewhere.signIn(user.email, 'the old password');
    const wrong = await here.post('/v1/auth/password', { current_password: 'not the old one', new_password: 'the new password' });
    assertError(wrong, 401, 'invalid_credentials');
    assert.ok(wrong.body.error.details.current_password);
    const weak = await here.post('/v1/auth/password', { current_password: 'the old password', new_password: 'short' });
    assertError(weak, 400, 'validation_error');
    assert.ok(weak.body.error.details.new_password);
    const changed = await here.post('/v1/auth/password', { current_password: 'the old password', new_password: 'the new password' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await here.get('/v1/auth/session')).status, 200);
    assertError(await elsewhere.get('/v1/auth/session'), 401, 'unauthorized');
    assertError(await new Browser(server.url).signIn(user.email, 'the old password'), 401, 'invalid_credentials');
    assert.equal((await new Browser(server.url).signIn(user.email, 'the new password')).status, 200);
  });

  it('counts wrong current passwords toward the lock-out, so an open session cannot guess the password', async () => {
    const { browser } = await member();
    for (let attempt = 1; attempt <= 4; attempt++) {
      assertError(await browser.post('/v1/auth/password', { current_password: `wrong ${attempt} password`, new_password: 'the new password' }), 401, 'invalid_credentials');
    }
    assertError(await browser.post('/v1/auth/password', { current_password: 'wrong 5 password', new_password: 'the new password' }), 429, 'rate_limited');
    const locked = await browser.post('/v1/auth/password', { current_password: 'correct horse battery', new_password: 'the new password' }, { 'x-forwarded-for': randomAddress() });
    assertError(locked, 429, 'rate_limited');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  });

  it('lets a signed-in person change their own name', async () => {
    const { browser, user } = await member();
    const renamed = await browser.patch('/v1/auth/profile', { name: 'Mia Member' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await tenant.api.get(`/v1/users/${user.id}`)).body.data.name, 'Mia Member');
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated change without the CSRF token, and writes nothing', async () => {
    const { browser } = await member();
    const before = (await tenant.api.get('/v1/contacts?limit=1')).body.meta.total;
    const refused = await browser.post('/v1/contacts', { first_name: 'Forged' }, { 'x-csrf-token': undefined });
    assertError(refused, 403, 'csrf_failed');
    assertError(await browser.post('/v1/contacts', { first_name: 'Forged' }, { 'x-csrf-token': 'not-the-token' }), 403, 'csrf_failed');
    assert.equal((await tenant.api.get('/v1/contacts?limit=1')).body.meta.total, before);
    // Reads need no token; with it, the write goes through.
    assert.equal((await browser.get('/v1/contacts')).status, 200);
    assert.equal((await browser.post('/v1/contacts', { first_name: 'Real' })).status, 201);
  });

  it('refuses a request from another Origin even with the token', async () => {
    const { browser } = await member();
    assertError(await browser.post('/v1/contacts', { first_name: 'Forged' }, { origin: 'https://evil.example' }), 403, 'csrf_failed');
    assertError(await browser.post('/v1/auth/sign-in', { email: tenant.ownerEmail, password: 'whatever it is' }, { origin: 'https://evil.example' }), 403, 'csrf_failed');
  });

  it('refuses a cross-site form POST that carries the cookie', async () => {
    const { browser } = await member();
    const before = (await tenant.api.get('/v1/contacts?limit=1')).body.meta.total;
    const form = await browser.post('/v1/contacts', 'first_name=Forged&last_name=Form', {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
      'x-csrf-token': undefined,
    });
    assertError(form, 403, 'csrf_failed');
    assert.equal((await tenant.api.get('/v1/contacts?limit=1')).body.meta.total, before);
  });

  it('lets an API key win over a cookie (no CSRF token needed, the key\'s workspace)', async () => {
    const other = await createTenant(server);
    const { browser } = await member();
    const response = await browser.post('/v1/contacts', { first_name: 'Keyed' }, { authorization: `Bearer ${other.key}`, 'x-csrf-token': undefined });
    assert.equal(response.status, 201, response.text);
    assert.equal((await other.api.get(`/v1/contacts/${response.body.data.id}`)).status, 200);
  });
});

describe('roles', () => {
  it('lets a member work with records but not manage keys, users, invitations, webhooks, sandboxes or the workspace', async () => {
    const { browser } = await member();
    assert.equal((await browser.post('/v1/contacts', { first_name: 'Mine' })).status, 201);
    assert.equal((await browser.get('/v1/users')).status, 200);
    for (const [method, path, body] of [
      ['GET', '/v1/api-keys'],
      ['POST', '/v1/api-keys', { name: 'mine', scope: 'full' }],
      ['POST', '/v1/users', { email: `${unique('u-')}@example.com`, name: 'New' }],
      ['POST', '/v1/invitations', { email: `${unique('u-')}@example.com`, role: 'member' }],
      ['GET', '/v1/invitations'],
      ['GET', '/v1/webhook-endpoints'],
      ['POST', '/v1/webhook-endpoints', { url: 'https://example.com/hook', events: ['*'] }],
      ['GET', '/v1/sandboxes'],
      ['PATCH', '/v1/workspace', { name: 'Mine now' }],
      ['POST', `/v1/users/${tenant.ownerId}/password-link`],
    ] as const) {
      const response = await browser.request(method, path, body);
      assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
      assert.ok(['forbidden', 'insufficient_scope'].includes(response.body.error.code), response.text);
    }
  });

  it('lets an admin manage keys and users from a session', async () => {
    const admin = await createUser(tenant.api, { role: 'admin' });
    const browser = await signedIn(server, tenant.api, admin.id);
    const key = await browser.post('/v1/api-keys', { name: 'from the browser', scope: 'read_only' });
    assert.equal(key.status, 201, key.text);
    assert.equal((await server.client(key.body.data.secret).get('/v1/contacts')).status, 200);
  });

  it('transfers ownership: the new owner is owner, the former one admin; only the owner may', async () => {
    const own = await createTenant(server);
    const heir = await createUser(own.api, { role: 'admin' });
    const heirBrowser = await signedIn(server, own.api, heir.id);
    assertError(await heirBrowser.post('/v1/workspace/transfer-ownership', { user_id: heir.id }), 403, 'forbidden');
    const owner = await signedIn(server, own.api, own.ownerId);
    const transferred = await owner.post('/v1/workspace/transfer-ownership', { user_id: heir.id });
    assert.equal(transferred.status, 200, transferred.text);
    assert.equal(transferred.body.data.owner.role, 'owner');
    assert.equal(transferred.body.data.previous_owner.role, 'admin');
    assert.equal((await heirBrowser.get('/v1/auth/session')).body.data.user.role, 'owner');
    assert.equal((await owner.get('/v1/auth/session')).body.data.user.role, 'admin');
  });
});

describe('invitations and one-time links', () => {
  it('invites by email and role; the invitee sets name and password and is signed in as that role', async () => {
    const admin = await signedIn(server, tenant.api, (await createUser(tenant.api, { role: 'admin' })).id);
    const email = `${unique('invitee-')}@example.com`;
    const invited = await admin.post('/v1/invitations', { email, role: 'member' });
    assert.equal(invited.status, 201, invited.text);
    assert.match(invited.body.data.url, /\/accept\/[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(invited.body.data.expires_at) - Date.now() > 6.9 * DAY);
    const listed = await admin.get('/v1/invitations');
    assert.ok(listed.body.data.some((i: any) => i.id === invited.body.data.id && i.email === email && i.url === undefined));

    const token = tokenOf(invited.body.data.url);
    const info = await new Browser(server.url).get(`/v1/auth/links/${token}`);
    assert.equal(info.status, 200, info.text);
    assert.equal(info.body.data.kind, 'invitation');
    assert.equal(info.body.data.email, email);
    const invitee = new Browser(server.url);
    assertError(await invitee.accept(token, { password: 'my own password' }), 400, 'validation_error');
    const accepted = await invitee.accept(token, { name: 'Ivy Invitee', password: 'my own password' });
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.body.data.user.role, 'member');
    assert.equal(accepted.body.data.user.name, 'Ivy Invitee');
    assert.equal((await invitee.get('/v1/contacts')).status, 200);
    assert.equal((await new Browser(server.url).signIn(email, 'my own password')).status, 200);
    // Used once: the link now says so, and so does a second try.
    assertError(await new Browser(server.url).get(`/v1/auth/links/${token}`), 410, 'link_used');
    assertError(await new Browser(server.url).accept(token, { name: 'Someone Else', password: 'another password' }), 410, 'link_used');
    assert.ok(!(await admin.get('/v1/invitations')).body.data.some((i: any) => i.id === invited.body.data.id));
  });

  it('refuses an expired invitation and a withdrawn one', async () => {
    const expiring = await tenant.api.post('/v1/invitations', { email: `${unique('late-')}@example.com`, role: 'member' });
    const withdrawn = await tenant.api.post('/v1/invitations', { email: `${unique('gone-')}@example.com`, role: 'member' });
    assert.equal((await tenant.api.delete(`/v1/invitations/${withdrawn.body.data.id}`)).status, 200);
    assertError(await new Browser(server.url).accept(tokenOf(withdrawn.body.data.url), { name: 'Gone', password: 'a fine password' }), 404, 'not_found');
    try {
      offset = 8 * DAY;
      assertError(await new Browser(server.url).get(`/v1/auth/links/${tokenOf(expiring.body.data.url)}`), 410, 'link_expired');
      assertError(await new Browser(server.url).accept(tokenOf(expiring.body.data.url), { name: 'Late', password: 'a fine password' }), 410, 'link_expired');
    } finally {
      offset = 0;
    }
    assertError(await new Browser(server.url).get(`/v1/auth/links/${'A'.repeat(43)}`), 404, 'not_found');
    assertError(await new Browser(server.url).get('/v1/auth/links/nonsense'), 404, 'not_found');
  });

  it('refuses to invite an existing user, and an owner invitation from an admin', async () => {
    const existing = await createUser(tenant.api);
    assertError(await tenant.api.post('/v1/invitations', { email: existing.email, role: 'member' }), 409, 'duplicate');
    const admin = await signedIn(server, tenant.api, (await createUser(tenant.api, { role: 'admin' })).id);
    assertError(await admin.post('/v1/invitations', { email: `${unique('o-')}@example.com`, role: 'owner' }), 403, 'forbidden');
  });

  it("resets a member's password with a one-time link: their sessions end, the old password stops working", async () => {
    const { browser, user } = await member();
    const link = await tenant.api.post(`/v1/users/${user.id}/password-link`);
    assert.equal(link.status, 201, link.text);
    const token = tokenOf(link.body.data.url);
    assert.equal((await new Browser(server.url).get(`/v1/auth/links/${token}`)).body.data.kind, 'password_reset');
    const reset = new Browser(server.url);
    assert.equal((await reset.accept(token, { password: 'a brand new password' })).status, 200);
    assertError(await browser.get('/v1/auth/session'), 401, 'unauthorized');
    assertError(await new Browser(server.url).signIn(user.email, 'correct horse battery'), 401, 'invalid_credentials');
    assert.equal((await new Browser(server.url).signIn(user.email, 'a brand new password')).status, 200);
    assertError(await new Browser(server.url).accept(token, { password: 'yet another password' }), 410, 'link_used');
  });

  it('keeps only the newest password link of a user working', async () => {
    const user = await createUser(tenant.api);
    const first = await tenant.api.post(`/v1/users/${user.id}/password-link`);
    const second = await tenant.api.post(`/v1/users/${user.id}/password-link`);
    assertError(await new Browser(server.url).get(`/v1/auth/links/${tokenOf(first.body.data.url)}`), 404, 'not_found');
    assert.equal((await new Browser(server.url).get(`/v1/auth/links/${tokenOf(second.body.data.url)}`)).status, 200);
  });
});

describe('tenant isolation', () => {
  it("keeps another workspace's records, sessions, invitations and users out of a session's reach", async () => {
    const other = await createTenant(server);
    const theirContact = await createContact(other.api);
    const theirUser = await createUser(other.api);
    const theirs = await signedIn(server, other.api, theirUser.id);
    const theirSession = (await theirs.get('/v1/auth/session')).body.data.id;
    const theirInvitation = await other.api.post('/v1/invitations', { email: `${unique('x-')}@example.com`, role: 'member' });

    const admin = await signedIn(server, tenant.api, (await createUser(tenant.api, { role: 'admin' })).id);
    assertError(await admin.get(`/v1/contacts/${theirContact.id}`), 404, 'not_found');
    assertError(await admin.delete(`/v1/auth/sessions/${theirSession}`), 404, 'not_found');
    assertError(await admin.delete(`/v1/invitations/${theirInvitation.body.data.id}`), 404, 'not_found');
    assert.ok(!(await admin.get('/v1/invitations')).body.data.some((i: any) => i.id === theirInvitation.body.data.id));
    assertError(await admin.post(`/v1/users/${theirUser.id}/password-link`), 404, 'not_found');
    assertError(await admin.post('/v1/workspace/transfer-ownership', { user_id: theirUser.id }), 403, 'forbidden');
    assert.ok(!(await admin.get('/v1/auth/sessions')).body.data.some((s: any) => s.id === theirSession));
    // Their session still works: nothing reached it.
    assert.equal((await theirs.get(`/v1/contacts/${theirContact.id}`)).status, 200);
  });
});

describe('first start', () => {
  it('prints a one-time link in the banner that sets the owner\'s password and signs them in', async () => {
    const { env, cleanup } = testEnv({ TRELLIS_BOOTSTRAP_EMAIL: 'first-owner@example.com', TRELLIS_OPERATOR_TOKEN: undefined });
    const started = await startServerProcess({ ...env, LOG_LEVEL: 'info' });
    try {
      const match = /(http:\/\/\S+)\/accept\/([A-Za-z0-9_-]{43})/.exec(started.output());
      assert.ok(match, started.output());
      assert.equal(match[1], started.url);
      const browser = new Browser(started.url);
      assert.equal((await browser.get(`/v1/auth/links/${match[2]}`)).body.data.kind, 'bootstrap');
      const accepted = await browser.accept(match[2] as string, { password: 'the owner password' });
      assert.equal(accepted.status, 200, accepted.text);
      assert.equal(accepted.body.data.user.role, 'owner');
      assert.equal((await browser.get('/v1/api-keys')).status, 200);
      // The request log says where the link was used, never the link itself.
      // The request log is written asynchronously (flushed within 100 ms): wait for the accept's line.
      const logged = Date.now() + 10_000;
      while (!/\/v1\/auth\/links\/\[redacted\]\/accept/.test(started.output()) && Date.now() < logged) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(started.output(), /\/v1\/auth\/links\/\[redacted\]\/accept/);
      assert.equal(started.output().split(match[2] as string).length - 1, 1, 'the token appears in the banner only');
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
      await cleanup();
    }
  });

  it('sets the owner\'s password from TRELLIS_BOOTSTRAP_PASSWORD instead', async () => {
    const { env, cleanup } = testEnv({ TRELLIS_BOOTSTRAP_EMAIL: 'auto-owner@example.com', TRELLIS_BOOTSTRAP_PASSWORD: 'set by automation', TRELLIS_OPERATOR_TOKEN: undefined });
    const started = await startServerProcess(env);
    try {
      assert.doesNotMatch(started.output(), /\/accept\//);
      assert.doesNotMatch(started.output(), /set by automation/);
      const signIn = await new Browser(started.url).signIn('auto-owner@example.com', 'set by automation');
      assert.equal(signIn.status, 200, signIn.text);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
      await cleanup();
    }
  });
});
