/**
 * Sign-in, sessions, invitations, password links and ownership, as REST: the
 * web app uses them, and so can an operator's scripts.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { actorOf } from '../http/auth.js';
import { item } from '../http/envelope.js';
import { commonErrors, Deleted, IdParams, ItemEnvelope, ErrorEnvelope } from '../http/schemas.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../http/session-cookie.js';
import { toIso, type Clock } from '../platform/clock.js';
import { presentUser } from '../resources/users/users.presenter.js';
import type { AuthLinkRow } from './links.repository.js';
import { InvitationCreate, LinkAccept, LinkInfoOut, OwnershipTransfer, PasswordChange, PasswordLinkOut, ProfileUpdate, SignIn, TokenParams } from './auth.schema.js';
import type { AuthService, ClientInfo, IssuedLink, SessionView } from './auth.service.js';

export interface AuthRouteOptions {
  /** PUBLIC_URL when it was set; otherwise links name the host the request was sent to. */
  configuredPublicUrl: string | undefined;
  publicUrl: string;
  clock: Clock;
}

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, Type.Ref(ErrorEnvelope)]));

export function presentSession(view: SessionView) {
  const { session, user } = view;
  return {
    id: session.id,
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    workspace: view.workspace,
    csrf_token: view.csrfToken,
    created_at: toIso(session.created_at),
    expires_at: toIso(session.expires_at),
  };
}

function presentInvitation(link: AuthLinkRow, now: number) {
  return { id: link.id, email: link.email, role: (link.role ?? 'member') as 'owner' | 'admin' | 'member', created_at: toIso(link.created_at), expires_at: toIso(link.expires_at), expired: link.expires_at <= now };
}

/** A sign-in lock-out answers with Retry-After, as every 429 does. */
async function withRetryAfter<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'rate_limited') reply.header('retry-after', String(error.details?.retry_after ?? 60));
    throw error;
  }
}

function clientOf(request: FastifyRequest): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

export function authRoutes(app: FastifyInstance, auth: AuthService, options: AuthRouteOptions): void {
  const tags = ['Sign-in'];
  const linkUrl = (request: FastifyRequest, token: string) => `${options.configuredPublicUrl ?? `${request.protocol}://${request.host}`}/accept/${token}`;
  const presentLink = (request: FastifyRequest, issued: IssuedLink) => ({ url: linkUrl(request, issued.token), token: issued.token });
  const opened = (request: FastifyRequest, reply: FastifyReply, session: Awaited<ReturnType<AuthService['signIn']>>) => {
    setSessionCookie(request, reply, session.token, options.publicUrl);
    return item(request, presentSession(session));
  };

  app.post('/v1/auth/sign-in', {
    config: { auth: 'public', idempotency: false },
    schema: {
      operationId: 'auth.sign_in',
      tags,
      summary: 'Sign in with email and password',
      description:
        'Opens a browser session: the response sets the `trellis_session` cookie (HttpOnly, SameSite=Lax, 14 days, sliding) and holds the session\'s CSRF token. A wrong email or password answers 401 `invalid_credentials`, the same either way. Repeated failures for one email or one client address lock sign-in out for a growing time (30 s, doubling, up to 15 min): 429 with `Retry-After`.',
      security: [],
      body: SignIn,
      response: { 200: ItemEnvelope(Type.Ref('Session')), ...errors(400, 401, 403, 413, 415, 429, 500) },
    },
    handler: async (request, reply) => opened(request, reply, await withRetryAfter(reply, () => auth.signIn(request.body as SignIn, clientOf(request)))),
  });

  app.get('/v1/auth/session', {
    schema: {
      operationId: 'auth.session',
      tags,
      summary: 'The current browser session',
      description: 'Who is signed in, in which workspace, and the CSRF token to send as `X-CSRF-Token`. 401 when the session cookie is missing, signed out, revoked or expired.',
      response: { 200: ItemEnvelope(Type.Ref('Session')), ...commonErrors() },
    },
    handler: async (request) => item(request, presentSession(await auth.describe(actorOf(request), sessionToken(request) ?? ''))),
  });

  app.post('/v1/auth/sign-out', {
    config: { optionalBody: true, idempotency: false },
    schema: {
      operationId: 'auth.sign_out',
      tags,
      summary: 'Sign out',
      description: 'Ends this browser session at once and clears its cookie.',
      response: { 200: ItemEnvelope(Type.Object({ signed_out: Type.Literal(true) })), ...commonErrors() },
    },
    handler: async (request, reply) => {
      await auth.signOut(actorOf(request));
      clearSessionCookie(request, reply, options.publicUrl);
      return item(request, { signed_out: true as const });
    },
  });

  app.post('/v1/auth/sign-out-everywhere', {
    config: { optionalBody: true, idempotency: false },
    schema: {
      operationId: 'auth.sign_out_everywhere',
      tags,
      summary: 'Sign out everywhere',
      description: "Ends every session of the signed-in user (this one too) at once: other browsers' next requests answer 401.",
      response: { 200: ItemEnvelope(Type.Object({ signed_out: Type.Literal(true), sessions_ended: Type.Integer() })), ...commonErrors() },
    },
    handler: async (request, reply) => {
      const ended = await auth.signOutEverywhere(actorOf(request));
      if (actorOf(request).sessionId !== undefined) clearSessionCookie(request, reply, options.publicUrl);
      return item(request, { signed_out: true as const, sessions_ended: ended });
    },
  });

  app.get('/v1/auth/sessions', {
    schema: {
      operationId: 'auth.sessions.list',
      tags,
      summary: "List the user's sessions",
      description: 'The signed-in user\'s sessions that have not expired, most recently used first; `current` marks the one asking.',
      response: { 200: ItemEnvelope(Type.Array(Type.Ref('SessionSummary'))), ...commonErrors() },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const sessions = await auth.listSessions(actor);
      return item(
        request,
        sessions.map((session) => ({
          id: session.id,
          created_at: toIso(session.created_at),
          last_used_at: toIso(session.last_used_at),
          expires_at: toIso(session.expires_at),
          user_agent: session.user_agent,
          ip: session.ip,
          current: session.id === actor.sessionId,
        })),
      );
    },
  });

  app.delete('/v1/auth/sessions/:id', {
    schema: {
      operationId: 'auth.sessions.revoke',
      tags,
      summary: 'Revoke a session',
      description: "Ends one of the user's own sessions: its next request answers 401.",
      params: IdParams,
      response: { 200: ItemEnvelope(Deleted), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const actor = actorOf(request);
      await auth.revokeSession(actor, id);
      if (id === actor.sessionId) clearSessionCookie(request, reply, options.publicUrl);
      return item(request, { id, deleted: true as const });
    },
  });

  app.post('/v1/auth/password', {
    config: { idempotency: false },
    schema: {
      operationId: 'auth.change_password',
      tags,
      summary: 'Change your password',
      description: "Needs the current password. The user's other sessions end; this one stays signed in. Passwords are 10 to 200 characters.",
      body: PasswordChange,
      response: { 200: ItemEnvelope(Type.Object({ changed: Type.Literal(true) })), ...commonErrors(413) },
    },
    handler: async (request, reply) => {
      const body = request.body as PasswordChange;
      await withRetryAfter(reply, () => auth.changePassword(actorOf(request), body.current_password, body.new_password, clientOf(request)));
      return item(request, { changed: true as const });
    },
  });

  app.patch('/v1/auth/profile', {
    schema: {
      operationId: 'auth.update_profile',
      tags,
      summary: 'Change your name',
      description: "The signed-in user's own name (any role). Email and role are changed by an owner or admin (PATCH /v1/users/{id}).",
      body: ProfileUpdate,
      response: { 200: ItemEnvelope(Type.Ref('User')), ...commonErrors(413) },
    },
    handler: async (request) => item(request, presentUser(await auth.updateProfile(actorOf(request), request.body as ProfileUpdate))),
  });

  app.get('/v1/auth/links/:token', {
    config: { auth: 'public' },
    schema: {
      operationId: 'auth.links.get',
      tags,
      summary: 'What a one-time link is for',
      description: 'For the page a link opens: an invitation, a password reset or the first start\'s link, with its email and workspace. 404 for an unknown or withdrawn link, 410 `link_used` or `link_expired`.',
      security: [],
      params: TokenParams,
      response: { 200: ItemEnvelope(LinkInfoOut), ...errors(400, 404, 410, 429, 500) },
    },
    handler: async (request) => {
      const { token } = request.params as { token: string };
      const { link, workspaceName } = await auth.inspectLink(token);
      return item(request, { kind: link.kind as 'invitation', email: link.email, role: link.role as 'member' | null, workspace: { name: workspaceName }, expires_at: toIso(link.expires_at) });
    },
  });

  app.post('/v1/auth/links/:token/accept', {
    config: { auth: 'public', idempotency: false },
    schema: {
      operationId: 'auth.links.accept',
      tags,
      summary: 'Use a one-time link',
      description:
        "An invitation creates the user (name and password); a password-reset or first-start link sets the user's password and ends their other sessions. Either way the response signs the holder in (as sign-in does). Each link works once.",
      security: [],
      params: TokenParams,
      body: LinkAccept,
      response: { 200: ItemEnvelope(Type.Ref('Session')), ...errors(400, 403, 404, 409, 410, 413, 415, 429, 500) },
    },
    handler: async (request, reply) => {
      const { token } = request.params as { token: string };
      return opened(request, reply, await auth.acceptLink(token, request.body as LinkAccept, clientOf(request)));
    },
  });

  const invitationTags = ['Invitations'];
  app.post('/v1/invitations', {
    config: { idempotency: false },
    schema: {
      operationId: 'invitations.create',
      tags: invitationTags,
      summary: 'Invite a person',
      description: 'Owners and admins. The response holds the one-time link (valid 7 days) to hand to the person: it is shown this once; no mail is sent. A new invitation for the same email replaces the open one.',
      body: InvitationCreate,
      response: { 201: ItemEnvelope(Type.Ref('NewInvitation')), ...commonErrors(409, 413) },
    },
    handler: async (request, reply) => {
      const issued = await auth.invite(actorOf(request), request.body as InvitationCreate);
      reply.status(201);
      return item(request, { ...presentInvitation(issued.link, issued.link.created_at), ...presentLink(request, issued) });
    },
  });

  app.get('/v1/invitations', {
    schema: {
      operationId: 'invitations.list',
      tags: invitationTags,
      summary: 'List open invitations',
      description: 'Owners and admins. Invitations not yet accepted or withdrawn, newest first; `expired` marks those past their 7 days. Links are never listed.',
      response: { 200: ItemEnvelope(Type.Array(Type.Ref('Invitation'))), ...commonErrors() },
    },
    handler: async (request) => {
      const now = options.clock.now();
      return item(request, (await auth.listInvitations(actorOf(request))).map((link) => presentInvitation(link, now)));
    },
  });

  app.delete('/v1/invitations/:id', {
    schema: {
      operationId: 'invitations.revoke',
      tags: invitationTags,
      summary: 'Withdraw an invitation',
      description: 'Owners and admins. Its link stops working at once.',
      params: IdParams,
      response: { 200: ItemEnvelope(Deleted), ...commonErrors(404) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      await auth.withdrawInvitation(actorOf(request), id);
      return item(request, { id, deleted: true as const });
    },
  });

  app.post('/v1/users/:id/password-link', {
    config: { optionalBody: true, idempotency: false },
    schema: {
      operationId: 'users.password_link',
      tags: ['Users'],
      summary: "A link to set a user's password",
      description: "Owners and admins (an owner's, only owners). The one-time link (valid 24 hours) is shown this once; the user sets a new password with it, which ends their sessions. Making a new link withdraws the user's earlier ones.",
      params: IdParams,
      response: { 201: ItemEnvelope(PasswordLinkOut), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const issued = await auth.passwordLink(actorOf(request), id);
      reply.status(201);
      return item(request, { user_id: id, ...presentLink(request, issued), expires_at: toIso(issued.link.expires_at) });
    },
  });

  app.post('/v1/workspace/transfer-ownership', {
    config: { idempotency: false },
    schema: {
      operationId: 'workspace.transfer_ownership',
      tags: ['Workspace'],
      summary: 'Transfer ownership',
      description: 'The owner only. The named user becomes owner and the caller becomes an admin, in one step.',
      body: OwnershipTransfer,
      response: { 200: ItemEnvelope(Type.Object({ owner: Type.Ref('User'), previous_owner: Type.Ref('User') })), ...commonErrors(413, 422) },
    },
    handler: async (request) => {
      const { owner, previous } = await auth.transferOwnership(actorOf(request), (request.body as OwnershipTransfer).user_id);
      return item(request, { owner: presentUser(owner), previous_owner: presentUser(previous) });
    },
  });
}
