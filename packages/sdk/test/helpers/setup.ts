/** A real server and a tenant with an SDK client, for the SDK's tests. */
import Trellis from '@trellis/sdk';
import { createTenant, type Tenant } from '../../../../test/helpers/factories.js';
import type { TestServer } from '../../../../test/helpers/server.js';

export interface SdkTenant {
  tenant: Tenant;
  client: Trellis;
}

export async function sdkTenant(server: TestServer, options: ConstructorParameters<typeof Trellis>[0] = {}): Promise<SdkTenant> {
  const tenant = await createTenant(server);
  return { tenant, client: new Trellis({ apiKey: tenant.key, baseUrl: server.url, ...options }) };
}
