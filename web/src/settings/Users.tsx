/**
 * Users: invite by email and role (a one-time link to hand over, valid 7 days),
 * pending invitations, change a member's role, remove a member, a one-time
 * password-reset link, and (for the owner) transfer ownership.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DataOf, ItemOf } from '@trellis/sdk';
import { useState, type FormEvent } from 'react';
import { USER_ROLES } from '../api/catalogue';
import { api } from '../api/client';
import { SESSION_KEY, useSignedIn } from '../app/session';
import { ConfirmButton } from '../ui/dialog';
import { fieldErrors, Loading, Notice, ProblemAlert } from '../ui/feedback';
import { SelectField, TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { CopyLine } from '../ui/secret';
import { Time } from '../ui/time';

type User = ItemOf<'users.list'>;
type Invitation = DataOf<'invitations.list'>[number];
type Role = (typeof USER_ROLES)[number];

const ROLE_HELP: Record<Role, string> = {
  owner: 'everything, including owners',
  admin: 'manages users, keys, webhooks and sandboxes',
  member: 'works with records',
};

interface OneTimeLink {
  title: string;
  url: string;
  expires_at: string;
}

export default function Users() {
  const [link, setLink] = useState<OneTimeLink | undefined>();
  return (
    <Page title="Users" managersOnly intro="Everyone who can sign in to this workspace. Links are shown here to hand over yourself: Trellis sends no email.">
      {link && (
        <section className="secret" aria-labelledby="link-title">
          <h2 id="link-title">{link.title}</h2>
          <p className="warning">
            Shown only once, valid until <Time value={link.expires_at} />. Send it to the person privately; it works one time.
          </p>
          <CopyLine label="One-time link" value={link.url} />
        </section>
      )}
      <UserList onLink={setLink} />
      <Invitations />
      <InviteForm onLink={setLink} />
    </Page>
  );
}

function UserList({ onLink }: { onLink: (link: OneTimeLink) => void }) {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list({ limit: 100 }) });
  const [notice, setNotice] = useState<string | undefined>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const changeRole = useMutation({
    mutationFn: ({ user, role }: { user: User; role: Role }) => api.users.update(user.id, { role }, { ifMatch: user.version }),
    onSuccess: (user) => {
      setNotice(`${user.name || user.email} is now ${user.role}.`);
      void refresh();
    },
    onError: () => void refresh(),
  });
  const remove = useMutation({
    mutationFn: (user: User) => api.users.delete(user.id),
    onSuccess: (_done, user) => {
      setNotice(`${user.name || user.email} is removed and can no longer sign in.`);
      void refresh();
    },
  });
  const reset = useMutation({
    mutationFn: (user: User) => api.users.passwordLink(user.id),
    onSuccess: (link, user) => {
      onLink({ title: `Password reset link for ${user.name || user.email}`, ...link });
      window.scrollTo({ top: 0 });
    },
  });
  const transfer = useMutation({
    mutationFn: (user: User) => api.workspace.transferOwnership({ user_id: user.id }),
    onSuccess: (_done, user) => {
      setNotice(`${user.name || user.email} is now the owner.`);
      void refresh();
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });

  if (users.isPending) return <Loading what="users" />;
  if (users.error) return <ProblemAlert error={users.error} title="Could not load the users." />;
  const isOwner = session.user.role === 'owner';
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Members</h2>
      {notice && <Notice>{notice}</Notice>}
      {[changeRole.error, remove.error, reset.error, transfer.error].map((error, index) => (error ? <ProblemAlert key={index} error={error} /> : null))}
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.data.map((user) => {
              const self = user.id === session.user.id;
              // Only an owner changes an owner; nobody demotes themselves here (transfer ownership instead).
              const editable = !self && (isOwner || user.role !== 'owner');
              const label = user.name || user.email;
              return (
                <tr key={user.id}>
                  <td data-label="Name">
                    {label}
                    {self && ' (you)'}
                  </td>
                  <td data-label="Email">{user.email}</td>
                  <td data-label="Role">
                    {editable ? (
                      <select aria-label={`Role of ${label}`} value={user.role} onChange={(event) => changeRole.mutate({ user, role: event.target.value as Role })} disabled={changeRole.isPending}>
                        {USER_ROLES.filter((role) => isOwner || role !== 'owner').map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </select>
                    ) : (
                      user.role
                    )}
                  </td>
                  <td data-label="Since">
                    <Time value={user.created_at} />
                  </td>
                  <td className="actions-cell">
                    {editable && (
                      <>
                        <button type="button" className="button small" onClick={() => reset.mutate(user)} disabled={reset.isPending}>
                          Reset link<span className="visually-hidden"> for {label}</span>
                        </button>
                        {isOwner && user.role !== 'owner' && (
                          <ConfirmButton small label="Make owner" context={`: ${label}`} title={`Transfer ownership to ${label}?`} confirmLabel="Transfer ownership" danger={false} onConfirm={() => transfer.mutate(user)}>
                            <p>{label} becomes the workspace’s owner; you stay on as an admin.</p>
                          </ConfirmButton>
                        )}
                        <ConfirmButton small label="Remove" context={label} title={`Remove ${label}?`} confirmLabel="Remove user" onConfirm={() => remove.mutate(user)}>
                          <p>{label} can no longer sign in; their sessions and API keys stop working. Records they own stay.</p>
                        </ConfirmButton>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Invitations() {
  const queryClient = useQueryClient();
  const invitations = useQuery({ queryKey: ['invitations'], queryFn: () => api.invitations.list() });
  const withdraw = useMutation({
    mutationFn: (invitation: Invitation) => api.invitations.revoke(invitation.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations'] }),
  });
  if (invitations.isPending) return <Loading what="invitations" />;
  if (invitations.error) return <ProblemAlert error={invitations.error} title="Could not load the invitations." />;
  if (invitations.data.length === 0) return null;
  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">Pending invitations</h2>
      <ProblemAlert error={withdraw.error} />
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((invitation) => (
              <tr key={invitation.id}>
                <td data-label="Email">{invitation.email}</td>
                <td data-label="Role">{invitation.role}</td>
                <td data-label="Expires">
                  <Time value={invitation.expires_at} />
                </td>
                <td className="actions-cell">
                  <ConfirmButton small label="Withdraw" context={`the invitation of ${invitation.email}`} title={`Withdraw the invitation of ${invitation.email}?`} confirmLabel="Withdraw" onConfirm={() => withdraw.mutate(invitation)}>
                    <p>The link stops working.</p>
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function InviteForm({ onLink }: { onLink: (link: OneTimeLink) => void }) {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const create = useMutation({
    mutationFn: () => api.invitations.create({ email: email.trim(), role }),
    onSuccess: (invitation) => {
      onLink({ title: `Invitation link for ${invitation.email}`, url: invitation.url, expires_at: invitation.expires_at });
      setEmail('');
      void queryClient.invalidateQueries({ queryKey: ['invitations'] });
      window.scrollTo({ top: 0 });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="invite-title" className="card">
      <h2 id="invite-title">Invite someone</h2>
      <form onSubmit={submit} noValidate>
        <TextField label="Email" type="email" autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} errors={fieldErrors(create.error, 'email')} required />
        <SelectField label="Role" value={role} onChange={(event) => setRole(event.target.value as Role)} errors={fieldErrors(create.error, 'role')}>
          {USER_ROLES.filter((option) => option !== 'owner' || session.user.role === 'owner').map((option) => (
            <option key={option} value={option}>
              {option}: {ROLE_HELP[option]}
            </option>
          ))}
        </SelectField>
        <ProblemAlert error={create.error} title="No invitation was made." />
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? 'Inviting…' : 'Create invitation link'}
          </button>
        </div>
      </form>
    </section>
  );
}
