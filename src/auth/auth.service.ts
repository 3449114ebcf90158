/**
 * People sign in: passwords, browser sessions, one-time links (invitations,
 * password resets, the first start's link) and ownership. A session acts as
 * its user, with the user's role deciding what it may do (domain/actor.ts);
 * every other rule (who may manage users, the last owner) is the services'.
 */
import type { CredentialCache } from '../resources/api-keys/credential-cache.js';
import { createHash, randomBytes } from 'node:crypto';
import { requireAdmin, sessionAccess, type Actor, type UserRole } from '../domain/actor.js';
import { DomainError, duplicate, invalidFields, notFound } from '../domain/errors.js';
import { budgetFor } from '../domain/rate-limits.js';
import { concurrentChange } from '../domain/versioning.js';
import type { Executor, Transactor } from '../db/transactor.js';
import type { Clock } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import type { Budget } from '../platform/rate-limiter.js';
import { hashSecret } from '../platform/secrets.js';
import type { UserRepository, UserRow } from '../resources/users/users.repository.js';
import type { UserService } from '../resources/users/users.service.js';
import type { WorkspaceRepository } from '../resources/workspaces/workspaces.repository.js';
import { AuthLinkRepository, type AuthLinkRow, type LinkKind } from './links.repository.js';
import { checkPassword, decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { PasswordRepository } from './passwords.repository.js';
import { SessionRepository, type SessionRow } from './sessions.repository.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export const SESSION_LIFETIME_MS = 14 * 86_400_000;
/** A session's expiry slides at most this often (one write a minute, not one per request). */
const SLIDE_EVERY_MS = 60_000;
const LINK_LIFETIME_MS: Record<LinkKind, number> = {
  invitation: 7 * 86_400_000,
  password_reset: 24 * 3_600_000,
  bootstrap: 7 * 86_400_000,
};

/** Where a request comes from, remembered with its session. */
export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

/** A session as shown to its user, with the CSRF token the cookie's owner must echo. */
export interface SessionView {
  session: SessionRow;
  user: UserRow;
  workspace: { id: string; name: string };
  csrfToken: string;
}

export interface OpenedSession extends SessionView {
  /** The cookie's value: shown only in the Set-Cookie header. */
  token: string;
}

export interface SessionAuthentication {
  actor: Omit<Actor, 'requestId'>;
  budget: Budget;
  session: SessionRow;
  /** True when the expiry slid: the cookie is sent again with the new lifetime. */
  slid: boolean;
}

export interface IssuedLink {
  link: AuthLinkRow;
  token: string;
}

export interface LinkInfo {
  link: AuthLinkRow;
  workspaceName: string;
}

/** The CSRF token of a session: derived from its cookie, so nothing more is stored and only the cookie's holder can know it. */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`trellis-csrf\n${sessionToken}`).digest('base64url');
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookie values and link tokens are 43 base64url characters; anything else is refused before a lookup. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class AuthService {
  private readonly sessions = new SessionRepository();
  private readonly links = new AuthLinkRepository();
  private readonly passwords = new PasswordRepository();

  constructor(
    private readonly tx: Transactor,
    private readonly clock: Clock,
    private readonly users: UserRepository,
    private readonly userService: UserService,
    private readonly workspaces: WorkspaceRepository,
    private readonly throttle: SignInThrottle,
    private readonly defaultRateLimit: number,
    private readonly credentials: CredentialCache,
  ) {}

  // ---- sign-in and sessions ----

  /**
   * Email and password to a new session. A wrong password and an unknown email
   * answer alike (and take as long); repeated failures lock the email and the
   * address out for a growing time. An email with a password in several
   * workspaces signs in to the first it matches, unless `workspaceId` says which.
   */
  async signIn(input: { email: string; password: string; workspace_id?: string }, client: ClientInfo): Promise<OpenedSession> {
    const email = input.email.trim().toLowerCase();
    const locked = await this.throttle.lockout(email, client.ip);
    if (locked) throw lockedOut(locked.retryAfter, locked.subject, this.clock.now());
    const lockIfWrong = await this.throttle.attempt(email, client.ip);
    const candidates = await this.passwords.candidates(this.tx.db, email, input.workspace_id);
    let match: (typeof candidates)[number] | undefined;
    for (const candidate of candidates) {
      if (await verifyPassword(input.password, candidate.passwordHash)) {
        match = candidate;
        break;
      }
    }
    if (candidates.length === 0) await verifyPassword(input.password, await decoyHash());
    if (!match) {
      if (lockIfWrong) throw lockedOut(lockIfWrong.retryAfter, lockIfWrong.subject, this.clock.now());
      throw new DomainError('invalid_credentials', 'The email or password is wrong.');
    }
    await this.throttle.succeeded(email, client.ip, lockIfWrong);
    const { workspaceId, userId } = match;
    return this.tx.write((db) => this.open(db, workspaceId, userId, client, this.clock.now()));
  }

  /** The session a cookie names, as an actor; unknown, signed-out and expired sessions answer 401 alike. */
  async authenticate(token: string): Promise<SessionAuthentication> {
    const unauthorized = () => new DomainError('unauthorized', 'Your session has ended (signed out, revoked or expired): sign in again.');
    if (!TOKEN_PATTERN.test(token)) throw unauthorized();
    const credential = await this.sessions.findCredential(this.tx.db, hashSecret(token));
    const now = this.clock.now();
    if (!credential || credential.expires_at <= now) throw unauthorized();
    let session: SessionRow = credential;
    const slid = now - credential.last_used_at >= SLIDE_EVERY_MS;
    if (slid) {
      session = { ...session, last_used_at: now, expires_at: now + SESSION_LIFETIME_MS };
      await this.tx.write((db) => this.sessions.touch(db, credential.id, now, session.expires_at));
    }
    const role = credential.role as UserRole;
    return {
      actor: { workspaceId: credential.workspace_id, userId: credential.user_id, role, keyId: credential.id, sessionId: credential.id, ...sessionAccess(role) },
      budget: budgetFor(credential.plan, null, this.defaultRateLimit),
      session,
      slid,
    };
  }

  /** The signed-in person's session, with its CSRF token. */
  async describe(actor: Actor, token: string): Promise<SessionView> {
    const session = await this.sessions.find(this.tx.db, actor.workspaceId, actor.userId, requireSession(actor));
    if (!session) throw new DomainError('unauthorized', 'Your session has ended: sign in again.');
    const [user, workspace] = await Promise.all([this.users.find(this.tx.db, actor.workspaceId, actor.userId), this.workspaces.find(this.tx.db, actor.workspaceId)]);
    if (!user || !workspace) throw new DomainError('unauthorized', 'Your session has ended: sign in again.');
    return { session, user, workspace: { id: workspace.id, name: workspace.name }, csrfToken: csrfTokenFor(token) };
  }

  async signOut(actor: Actor): Promise<void> {
    const id = requireSession(actor);
    await this.tx.write((db) => this.sessions.delete(db, actor.workspaceId, id));
  }

  /** Ends every session of the actor's user, this one included; answers how many ended. */
  signOutEverywhere(actor: Actor): Promise<number> {
    return this.tx.write((db) => this.sessions.deleteForUser(db, actor.workspaceId, actor.userId));
  }

  /** The user's own sessions that have not expired, most recently used first. */
  listSessions(actor: Actor): Promise<SessionRow[]> {
    return this.sessions.listForUser(this.tx.db, actor.workspaceId, actor.userId, this.clock.now());
  }

  /** Ends one of the user's own sessions: its next request is refused. */
  async revokeSession(actor: Actor, id: string): Promise<SessionRow> {
    return this.tx.write(async (db) => {
      const session = await this.sessions.find(db, actor.workspaceId, actor.userId, id);
      if (!session || session.expires_at <= this.clock.now()) throw notFound('session');
      await this.sessions.delete(db, actor.workspaceId, id);
      return session;
    });
  }

  // ---- the user's own account ----

  /**
   * A new password for the actor's own user; every other session of the user
   * ends. Wrong current passwords count toward the sign-in lock-out, so a
   * session left open cannot be used to guess the password either.
   */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string, client: ClientInfo): Promise<void> {
    requireOwnAccount(actor);
    checkPassword(newPassword, 'new_password');
    const user = await this.users.find(this.tx.db, actor.workspaceId, actor.userId);
    if (!user) throw notFound('user');
    const locked = await this.throttle.lockout(user.email, client.ip);
    if (locked) throw lockedOut(locked.retryAfter, locked.subject, this.clock.now());
    const lockIfWrong = await this.throttle.attempt(user.email, client.ip);
    const stored = await this.passwords.find(this.tx.db, actor.userId);
    if (stored === undefined || !(await verifyPassword(currentPassword, stored))) {
      if (lockIfWrong) throw lockedOut(lockIfWrong.retryAfter, lockIfWrong.subject, this.clock.now());
      throw new DomainError('invalid_credentials', 'The current password is wrong.', { current_password: ['The current password is wrong.'] });
    }
    await this.throttle.succeeded(user.email, client.ip, lockIfWrong);
    const hash = await hashPassword(newPassword);
    await this.tx.write(async (db) => {
      await this.passwords.set(db, actor.workspaceId, actor.userId, hash, this.clock.now());
      await this.sessions.deleteForUser(db, actor.workspaceId, actor.userId, actor.sessionId);
    });
  }

  async updateProfile(actor: Actor, changes: { name?: string }): Promise<UserRow> {
    requireOwnAccount(actor);
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const user = await this.users.find(db, actor.workspaceId, actor.userId);
      if (!user) throw notFound('user');
      const update = changes.name !== undefined ? { name: changes.name.trim() } : {};
      if (!(await this.users.update(db, actor.workspaceId, user.id, user.version, update, at))) throw concurrentChange();
      return { ...user, ...update, updated_at: at, version: user.version + 1 };
    });
  }

  // ---- one-time links ----

  /** Invites a person by email and role: a link, shown once, that makes their user when they set a password. */
  async invite(actor: Actor, input: { email: string; role: UserRole }): Promise<IssuedLink> {
    requireAdmin(actor);
    if (input.role === 'owner' && actor.role !== 'owner') throw new DomainError('forbidden', 'Only an owner may invite another owner.');
    const email = input.email.trim().toLowerCase();
    return this.tx.write(async (db) => {
      const existing = await this.users.findByEmail(db, actor.workspaceId, email);
      if (existing) throw duplicate('user', 'email', existing.id);
      const at = this.clock.now();
      // A new invitation for the same email replaces the open one.
      for (const open of await this.links.listOpen(db, actor.workspaceId, 'invitation')) {
        if (open.email === email) await this.links.revoke(db, open.id, at);
      }
      return this.issueLink(db, actor.workspaceId, 'invitation', { email, role: input.role, userId: null, createdBy: actor.userId }, at);
    });
  }

  listInvitations(actor: Actor): Promise<AuthLinkRow[]> {
    requireAdmin(actor);
    return this.links.listOpen(this.tx.db, actor.workspaceId, 'invitation');
  }

  /** Withdraws an invitation: its link stops working. */
  async withdrawInvitation(actor: Actor, id: string): Promise<AuthLinkRow> {
    requireAdmin(actor);
    return this.tx.write(async (db) => {
      const link = await this.links.find(db, actor.workspaceId, 'invitation', id);
      if (!link || link.used_at !== null || link.revoked_at !== null) throw notFound('invitation');
      const at = this.clock.now();
      await this.links.revoke(db, id, at);
      return { ...link, revoked_at: at };
    });
  }

  /** A one-time link for another user of the workspace to set a new password (an admin resetting a member's). */
  async passwordLink(actor: Actor, userId: string): Promise<IssuedLink> {
    requireAdmin(actor);
    return this.tx.write(async (db) => {
      const user = await this.users.find(db, actor.workspaceId, userId);
      if (!user) throw notFound('user');
      if (user.role === 'owner' && actor.role !== 'owner') throw new DomainError('forbidden', "Only an owner may reset an owner's password.");
      return this.resetLink(db, actor.workspaceId, user, 'password_reset', actor.userId);
    });
  }

  /** For the instance operator (`trellis users set-password-link`, the first start): a link for the user with this email. */
  async operatorPasswordLink(email: string, workspaceId: string | undefined, kind: 'password_reset' | 'bootstrap' = 'password_reset'): Promise<IssuedLink & { user: UserRow }> {
    const normalized = email.trim().toLowerCase();
    return this.tx.write(async (db) => {
      const user = await this.findOperatorUser(db, normalized, workspaceId);
      const issued = await this.resetLink(db, user.workspaceId, user.row, kind, null);
      return { ...issued, user: user.row };
    });
  }

  /** For automated set-ups (TRELLIS_BOOTSTRAP_PASSWORD): sets the password of the user with this email. */
  async operatorSetPassword(email: string, workspaceId: string | undefined, password: string): Promise<UserRow> {
    checkPassword(password);
    const hash = await hashPassword(password);
    return this.tx.write(async (db) => {
      const user = await this.findOperatorUser(db, email.trim().toLowerCase(), workspaceId);
      await this.passwords.set(db, user.workspaceId, user.row.id, hash, this.clock.now());
      return user.row;
    });
  }

  /** What a link is for, before its holder uses it; a used, withdrawn or expired link answers why not. */
  async inspectLink(token: string): Promise<LinkInfo> {
    const found = TOKEN_PATTERN.test(token) ? await this.links.findByToken(this.tx.db, hashSecret(token)) : undefined;
    this.checkUsable(found);
    const { workspaceName, ...link } = found!;
    return { link, workspaceName };
  }

  /**
   * Uses a link: an invitation makes the user (name and password), a reset or
   * first-start link sets the user's password and ends their other sessions.
   * Either way the holder is signed in. Each link works once.
   */
  async acceptLink(token: string, input: { name?: string; password: string }, client: ClientInfo): Promise<OpenedSession> {
    await this.inspectLink(token);
    checkPassword(input.password);
    const hash = await hashPassword(input.password);
    return this.tx.write(async (db) => {
      const found = await this.links.findByToken(db, hashSecret(token));
      this.checkUsable(found);
      const link = found!;
      const at = this.clock.now();
      if (!(await this.links.use(db, link.id, at))) throw new DomainError('link_used', 'This link has been used already; ask for a new one.');
      let userId: string;
      if (link.kind === 'invitation') {
        if (input.name === undefined) throw invalidFields({ name: 'Your name is required.' });
        const user = await this.userService.insert(db, link.workspace_id, { email: link.email, name: input.name, role: (link.role ?? 'member') as UserRole }, at);
        userId = user.id;
      } else {
        const user = link.user_id !== null ? await this.users.find(db, link.workspace_id, link.user_id) : undefined;
        if (!user) throw notFound('user');
        if (input.name !== undefined) await this.users.update(db, link.workspace_id, user.id, user.version, { name: input.name.trim() }, at);
        await this.sessions.deleteForUser(db, link.workspace_id, user.id);
        userId = user.id;
      }
      await this.passwords.set(db, link.workspace_id, userId, hash, at);
      return this.open(db, link.workspace_id, userId, client, at);
    });
  }

  // ---- ownership ----

  /** The owner hands the workspace to another user, who becomes owner; the former owner stays as admin. */
  async transferOwnership(actor: Actor, userId: string): Promise<{ owner: UserRow; previous: UserRow }> {
    requireAdmin(actor);
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'Only the owner may transfer ownership.');
    if (userId === actor.userId) throw invalidFields({ user_id: 'You are the owner already; name another user.' });
    const transferred = await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const [target, self] = await Promise.all([this.users.find(db, actor.workspaceId, userId), this.users.find(db, actor.workspaceId, actor.userId)]);
      if (!target) throw new DomainError('unprocessable', 'user_id does not name a user in this workspace.', { user_id: ['No user with this id exists in this workspace.'] });
      if (!self) throw notFound('user');
      // Both or neither: a user changed meanwhile rolls the whole transfer back.
      if (!(await this.users.update(db, actor.workspaceId, target.id, target.version, { role: 'owner' }, at))) throw concurrentChange();
      if (!(await this.users.update(db, actor.workspaceId, self.id, self.version, { role: 'admin' }, at))) throw concurrentChange();
      return {
        owner: { ...target, role: 'owner', updated_at: at, version: target.version + 1 },
        previous: { ...self, role: 'admin', updated_at: at, version: self.version + 1 },
      };
    });
    // Both users' keys now act with their new roles.
    await this.credentials.forgetWorkspace(actor.workspaceId);
    return transferred;
  }

  /** Drops sessions past their expiry (they are refused anyway; this keeps the table small). */
  async sweep(): Promise<void> {
    await this.tx.write((db) => this.sessions.deleteExpired(db, this.clock.now()));
  }

  // ---- helpers ----

  private async open(db: Executor, workspaceId: string, userId: string, client: ClientInfo, at: number): Promise<OpenedSession> {
    const token = newToken();
    const session: SessionRow = {
      id: newId('session'),
      workspace_id: workspaceId,
      user_id: userId,
      token_hash: hashSecret(token),
      user_agent: client.userAgent?.slice(0, 300) ?? null,
      ip: client.ip,
      created_at: at,
      last_used_at: at,
      expires_at: at + SESSION_LIFETIME_MS,
    };
    await this.sessions.insert(db, session);
    const [user, workspace] = await Promise.all([this.users.find(db, workspaceId, userId), this.workspaces.find(db, workspaceId)]);
    if (!user || !workspace) throw notFound('user');
    return { session, user, workspace: { id: workspace.id, name: workspace.name }, csrfToken: csrfTokenFor(token), token };
  }

  private async issueLink(db: Executor, workspaceId: string, kind: LinkKind, fields: { email: string; role: string | null; userId: string | null; createdBy: string | null }, at: number): Promise<IssuedLink> {
    const token = newToken();
    const link: AuthLinkRow = {
      id: newId('authLink'),
      workspace_id: workspaceId,
      kind,
      token_hash: hashSecret(token),
      email: fields.email,
      role: fields.role,
      user_id: fields.userId,
      created_by: fields.createdBy,
      created_at: at,
      expires_at: at + LINK_LIFETIME_MS[kind],
      used_at: null,
      revoked_at: null,
    };
    await this.links.insert(db, link);
    return { link, token };
  }

  /** Only the newest reset link of a user works: making one withdraws the others. */
  private async resetLink(db: Executor, workspaceId: string, user: UserRow, kind: 'password_reset' | 'bootstrap', createdBy: string | null): Promise<IssuedLink> {
    const at = this.clock.now();
    await this.links.revokeOpenForUser(db, workspaceId, user.id, at);
    return this.issueLink(db, workspaceId, kind, { email: user.email, role: null, userId: user.id, createdBy }, at);
  }

  private async findOperatorUser(db: Executor, email: string, workspaceId: string | undefined): Promise<{ workspaceId: string; row: UserRow }> {
    let query = db.selectFrom('users as u').innerJoin('workspaces as w', 'w.id', 'u.workspace_id').select(['u.id', 'u.workspace_id']).where('u.email', '=', email);
    // Sandboxes copy their parent's users: the operator means the real workspace unless they name one.
    query = workspaceId !== undefined ? query.where('u.workspace_id', '=', workspaceId) : query.where('w.parent_workspace_id', 'is', null);
    const matches = await query.orderBy('w.created_at').limit(2).execute();
    const first = matches[0];
    if (!first) throw notFound(`user with the email ${email}${workspaceId !== undefined ? ' in this workspace' : ''}`);
    if (matches.length > 1) throw new DomainError('conflict', `${email} is a user in several workspaces; name the workspace.`);
    const row = await this.users.find(db, first.workspace_id, first.id);
    if (!row) throw notFound('user');
    return { workspaceId: first.workspace_id, row };
  }

  private checkUsable(link: (AuthLinkRow & { workspaceName: string }) | undefined): void {
    if (!link || link.revoked_at !== null) throw new DomainError('not_found', 'This link does not exist or was withdrawn; ask for a new one.');
    if (link.used_at !== null) throw new DomainError('link_used', 'This link has been used already; ask for a new one.');
    if (link.expires_at <= this.clock.now()) throw new DomainError('link_expired', `This link expired on ${new Date(link.expires_at).toISOString()}; ask for a new one.`);
  }
}

function requireSession(actor: Actor): string {
  if (actor.sessionId === undefined) throw new DomainError('unauthorized', 'This needs a browser session (the session cookie), not an API key.');
  return actor.sessionId;
}

/** The user's own password and name: from their session, or a full-access key of theirs. */
function requireOwnAccount(actor: Actor): void {
  if (actor.sessionId === undefined && actor.scope !== 'full') {
    throw new DomainError('insufficient_scope', "Changing the account's own password or name needs a session or a full-access key.", { required: 'full' });
  }
}

function lockedOut(retryAfter: number, subject: 'email' | 'address', now: number): DomainError {
  const until = new Date(now + retryAfter * 1000).toISOString().slice(11, 19);
  const what = subject === 'email' ? 'this email' : 'your address';
  return new DomainError('rate_limited', `Too many failed sign-ins for ${what}: try again in ${retryAfter} s (at ${until} UTC).`, { retry_after: retryAfter });
}
