/**
 * First start: with an empty database, create a workspace, its owner and a
 * full-access key, so a newcomer can call the API at once.
 */
import type { Config } from './config.js';
import type { Services } from './services.js';

export interface Bootstrapped {
  workspaceId: string;
  email: string;
  /** The key's secret when it was generated here; undefined when it came from TRELLIS_BOOTSTRAP_KEY. */
  generatedKey: string | undefined;
}

export async function bootstrapIfEmpty(services: Services, config: Config): Promise<Bootstrapped | undefined> {
  if (!(await services.workspaces.isEmpty())) return undefined;
  const created = await services.workspaces.create(
    { name: config.bootstrap.workspaceName, owner: { email: config.bootstrap.email, name: 'Owner' } },
    config.bootstrap.key,
  );
  return {
    workspaceId: created.workspace.id,
    email: created.owner.email,
    generatedKey: config.bootstrap.key === undefined ? created.apiKey.secret : undefined,
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
  }
  return `${lines.join('\n')}\n`;
}
