/**
 * People sign in: sessions, passwords, one-time links and invitations. In a
 * browser the session cookie does the authenticating (no apiKey; send the
 * session's csrf_token as X-CSRF-Token through `headers`).
 */
import type { Api } from '../core/api.js';
import type { RequestOptions } from '../core/options.js';
import type { BodyOf, DataOf } from '../core/operation-types.js';
import { Resource } from './crud.js';

export class Auth extends Resource<'auth'> {
  /** The user's own sessions: `list()` (with `current`), `revoke(id)`. */
  readonly sessions: {
    list(options?: RequestOptions): Promise<DataOf<'auth.sessions.list'>>;
    revoke(id: string, options?: RequestOptions): Promise<DataOf<'auth.sessions.revoke'>>;
  };
  /** One-time links (invitation, password reset, first start): `get(token)` says what it is for, `accept(token, {name?, password})` uses it and signs in. */
  readonly links: {
    get(token: string, options?: RequestOptions): Promise<DataOf<'auth.links.get'>>;
    accept(token: string, body: BodyOf<'auth.links.accept'>, options?: RequestOptions): Promise<DataOf<'auth.links.accept'>>;
  };

  constructor(api: Api) {
    super(api, 'auth');
    this.sessions = {
      list: (options) => api.data('auth.sessions.list', {}, options),
      revoke: (id, options) => api.data('auth.sessions.revoke', { path: { id } }, options),
    };
    this.links = {
      get: (token, options) => api.data('auth.links.get', { path: { token } }, options),
      accept: (token, body, options) => api.data('auth.links.accept', { path: { token }, body }, options),
    };
  }

  /** Opens a session (the server sets the cookie); the answer holds the CSRF token. Wrong email or password: InvalidCredentialsError. */
  signIn(body: BodyOf<'auth.sign_in'>, options?: RequestOptions): Promise<DataOf<'auth.sign_in'>> {
    return this.api.data('auth.sign_in', { body }, options);
  }

  /** Who is signed in, and the CSRF token; AuthenticationError when the session has ended. */
  session(options?: RequestOptions): Promise<DataOf<'auth.session'>> {
    return this.api.data('auth.session', {}, options);
  }

  signOut(options?: RequestOptions): Promise<DataOf<'auth.sign_out'>> {
    return this.api.data('auth.sign_out', {}, options);
  }

  /** Ends every session of the user, this one too. */
  signOutEverywhere(options?: RequestOptions): Promise<DataOf<'auth.sign_out_everywhere'>> {
    return this.api.data('auth.sign_out_everywhere', {}, options);
  }

  changePassword(body: BodyOf<'auth.change_password'>, options?: RequestOptions): Promise<DataOf<'auth.change_password'>> {
    return this.api.data('auth.change_password', { body }, options);
  }

  updateProfile(body: BodyOf<'auth.update_profile'>, options?: RequestOptions): Promise<DataOf<'auth.update_profile'>> {
    return this.api.data('auth.update_profile', { body }, options);
  }
}

export class Invitations extends Resource<'invitations'> {
  constructor(api: Api) {
    super(api, 'invitations');
  }

  /** The answer's `url` (valid 7 days) is shown only here: hand it to the person. */
  create(body: BodyOf<'invitations.create'>, options?: RequestOptions): Promise<DataOf<'invitations.create'>> {
    return this.api.data('invitations.create', { body }, options);
  }

  list(options?: RequestOptions): Promise<DataOf<'invitations.list'>> {
    return this.api.data('invitations.list', {}, options);
  }

  /** Withdraws the invitation: its link stops working. */
  revoke(id: string, options?: RequestOptions): Promise<DataOf<'invitations.revoke'>> {
    return this.api.data('invitations.revoke', { path: { id } }, options);
  }
}
