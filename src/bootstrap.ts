/**
 * First start: with an empty database, create a workspace, its owner and a
 * full-access key, so a newcomer can call the API at once, and a one-time link
 * for the owner to set a password and sign in to the web app (or, with
 * TRELLIS_BOOTSTRAP_PASSWORD, that password, for automated set-ups).
 */
import type { Config } from './config.js';
import type { Services } from './services.js';

export interface Bootstrapped {
  workspaceId: string;
  email: string;
  /** The key's secret when it was generated here; undefined when it came from TRELLIS_BOOTSTRAP_KEY. */
  generatedKey: string | undefined;
  /** The one-time link's token for the owner to set a password; undefined when TRELLIS_BOOTSTRAP_PASSWORD set it. */
  passwordLinkToken: string | undefined;
}

export async function bootstrapIfEmpty(services: Services, config: Config): Promise<Bootstrapped | undefined> {
  if (!(await services.workspaces.isEmpty())) return undefined;
  const created = await services.workspaces.createFirst(
    { name: config.bootstrap.workspaceName, owner: { email: config.bootstrap.email, name: 'Owner' } },
    config.bootstrap.key,
  );
  if (!created) return undefined;
  let passwordLinkToken: string | undefined;
  if (config.bootstrap.password !== undefined) await services.auth.operatorSetPassword(created.owner.email, created.workspace.id, config.bootstrap.password);
  else passwordLinkToken = (await services.auth.operatorPasswordLink(created.owner.email, created.workspace.id, 'bootstrap')).token;
  return {
    workspaceId: created.workspace.id,
    email: created.owner.email,
    generatedKey: config.bootstrap.key === undefined ? created.apiKey.secret : undefined,
    passwordLinkToken,
  };
}

export function banner(config: Config, address: string, first: Bootstrapped | undefined): string {
  const lines = ['', `Trellis is listening on ${config.publicUrl} (bound to ${address})`, `  API reference: ${config.publicUrl}/docs`];
  if (first) {
    lines.push('', `First start: created workspace ${first.workspaceId} with owner ${first.email}.`);
    if (first.generatedKey) {
      lines.push(
        'Your API key (shown once, store it now):',
        '',
        `  ${first.generatedKey}`,
        '',
        'Try it:',
        `  curl -H "Authorization: Bearer ${first.generatedKey}" ${config.publicUrl}/v1/me`,
      );
    } else {
      lines.push('Its API key is the one in TRELLIS_BOOTSTRAP_KEY.');
    }
    if (first.passwordLinkToken) {
      // With PORT=0 the public URL cannot name the port: the address bound to does.
      const base = config.configuredPublicUrl ?? (config.port === 0 ? address : config.publicUrl);
      lines.push('', 'Sign in to the web app: set the owner\'s password with this one-time link (valid 7 days):', '', `  ${base}/accept/${first.passwordLinkToken}`);
    } else {
      lines.push('', `Sign in to the web app at ${config.publicUrl}/ as ${first.email} with the password in TRELLIS_BOOTSTRAP_PASSWORD.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
