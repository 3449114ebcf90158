/** Operator tasks on the database: `trellis workspaces list|create`, `trellis keys create|list|revoke`, `trellis users set-password-link`. */
import type { Command } from 'commander';
import { KEY_SCOPES, type KeyScope } from '../../domain/actor.js';
import { parseListQuery } from '../../list/list-query.js';
import { apiKeyListSpec } from '../../resources/api-keys/api-keys.list.js';
import { presentApiKey, presentIssuedKey } from '../../resources/api-keys/api-keys.presenter.js';
import { presentWorkspace } from '../../resources/workspaces/workspaces.presenter.js';
import { presentUser } from '../../resources/users/users.presenter.js';
import { CliError, EXIT } from '../exit-codes.js';
import { withServices } from '../local.js';
import { table, type Output } from '../output.js';

export function operatorCommands(program: Command, out: () => Output): void {
  const workspaces = program.command('workspaces').description('Workspaces of this instance (on the database; no key needed)');
  workspaces
    .command('list')
    .description('Every workspace')
    .action(() =>
      withServices(async (services) => {
        const rows = (await services.workspaces.listAll()).map(presentWorkspace);
        out().result(rows, () => (rows.length === 0 ? 'No workspaces.' : table(rows, ['id', 'name', 'plan', 'parent_workspace_id', 'created_at'])));
      }),
    );
  workspaces
    .command('create')
    .description('A workspace with its owner and the owner\'s first full-access key (shown once)')
    .requiredOption('--name <name>', 'the workspace name')
    .requiredOption('--owner-email <email>', "the owner's email")
    .option('--owner-name <name>', "the owner's name", 'Owner')
    .addHelpText('after', '\nExample:\n  trellis workspaces create --name "Acme Sales" --owner-email ada@acme.example')
    .action((options: { name: string; ownerEmail: string; ownerName: string }) =>
      withServices(async (services) => {
        const created = await services.workspaces.create({ name: options.name, owner: { email: options.ownerEmail.toLowerCase(), name: options.ownerName } });
        const value = { workspace: presentWorkspace(created.workspace), owner: presentUser(created.owner), api_key: presentIssuedKey(created.apiKey) };
        out().result(value, () => `Created workspace ${created.workspace.id} with owner ${created.owner.email}.\nIts API key (shown once, store it now):\n\n  ${created.apiKey.secret}\n`);
      }),
    );

  const users = program.command('users').description("Users' sign-in (on the database; no key needed)");
  users
    .command('set-password-link <email>')
    .description("A one-time link (valid 24 hours) for the user to set a new password: an owner locked out, a lost first-start link")
    .option('--workspace <id>', 'the workspace, when the email is a user in several')
    .addHelpText('after', '\nExample:\n  trellis users set-password-link owner@example.com')
    .action((email: string, options: { workspace?: string }) =>
      withServices(async (services, config) => {
        const issued = await services.auth.operatorPasswordLink(email, options.workspace);
        const url = `${config.publicUrl}/accept/${issued.token}`;
        const value = { user_id: issued.user.id, email: issued.user.email, workspace_id: issued.link.workspace_id, url, expires_at: new Date(issued.link.expires_at).toISOString() };
        out().result(value, () => `A one-time link for ${issued.user.email} to set a password (valid until ${value.expires_at}):\n\n  ${url}\n`);
      }),
    );

  const keys = program.command('keys').description("A workspace's API keys (on the database, as its first owner; no key needed)");
  keys
    .command('create')
    .description('Issue a key (the secret is shown once)')
    .requiredOption('--workspace <id>', 'the workspace')
    .option('--name <name>', 'what the key is for', 'CLI key')
    .option('--scope <scope>', `${KEY_SCOPES.join(', ')}`, 'full')
    .option('--grant <grant...>', 'with --scope custom: contacts:read, deals:write, …')
    .option('--user <id>', "the key's user (default: the first owner)")
    .option('--expires-at <iso>', 'when the key stops working')
    .addHelpText('after', '\nExamples:\n  trellis keys create --workspace wsp_… --name "Zapier" --scope custom --grant contacts:write deals:read\n  trellis keys create --workspace wsp_… --scope read_only --json')
    .action((options: { workspace: string; name: string; scope: string; grant?: string[]; user?: string; expiresAt?: string }) =>
      withServices(async (services) => {
        if (!(KEY_SCOPES as readonly string[]).includes(options.scope)) throw new CliError(EXIT.usage, `--scope must be one of ${KEY_SCOPES.join(', ')}.`);
        const actor = await services.workspaces.operatorActor(options.workspace);
        const issued = await services.apiKeys.create(actor, {
          name: options.name,
          scope: options.scope as KeyScope,
          ...(options.grant && { grants: options.grant }),
          ...(options.user && { user_id: options.user }),
          ...(options.expiresAt && { expires_at: Date.parse(options.expiresAt) }),
        });
        const value = presentIssuedKey(issued);
        out().result(value, () => `Issued key ${issued.key.id} (${issued.key.scope}). The secret, shown once:\n\n  ${issued.secret}\n`);
      }),
    );
  keys
    .command('list')
    .description("The workspace's keys (never their secrets)")
    .requiredOption('--workspace <id>', 'the workspace')
    .action((options: { workspace: string }) =>
      withServices(async (services) => {
        const actor = await services.workspaces.operatorActor(options.workspace);
        const rows: ReturnType<typeof presentApiKey>[] = [];
        let query = parseListQuery(apiKeyListSpec, { limit: '100' });
        for (;;) {
          const page = await services.apiKeys.list(actor, query);
          rows.push(...page.rows.map(presentApiKey));
          const last = page.rows[page.rows.length - 1];
          if (!page.hasMore || !last) break;
          query = { ...query, cursor: { values: [last.created_at], id: last.id } };
        }
        out().result(rows, () => table(rows, ['id', 'name', 'prefix', 'scope', 'grants', 'user_id', 'revoked_at', 'last_used_at']));
      }),
    );
  keys
    .command('revoke <keyId>')
    .description('Revoke a key: it stops working at once on every instance')
    .requiredOption('--workspace <id>', 'the workspace')
    .action((keyId: string, options: { workspace: string }) =>
      withServices(async (services) => {
        const actor = await services.workspaces.operatorActor(options.workspace);
        const revoked = presentApiKey(await services.apiKeys.revoke(actor, keyId));
        out().result(revoked, () => `Revoked ${revoked.id} (${revoked.name}).`);
      }),
    );
}
