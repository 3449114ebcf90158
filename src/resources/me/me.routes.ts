import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { item } from '../../http/envelope.js';
import { commonErrors, ItemEnvelope, Nullable } from '../../http/schemas.js';
import { BURST_REFILL_SECONDS } from '../../platform/rate-limiter.js';
import { presentApiKey } from '../api-keys/api-keys.presenter.js';
import { presentUser } from '../users/users.presenter.js';
import { presentWorkspace } from '../workspaces/workspaces.presenter.js';
import type { ApiKeyService } from '../api-keys/api-keys.service.js';
import type { MeService } from './me.service.js';

const MeOut = Type.Object({
  user: Type.Ref('User'),
  workspace: Type.Ref('Workspace'),
  api_key: Nullable(Type.Ref('ApiKey', { description: 'null for a browser session (see GET /v1/auth/session).' })),
  rate_limit: Type.Object({
    limit_per_minute: Type.Integer(),
    burst: Type.Integer({ description: 'Requests allowed in one minute while the burst allowance lasts.' }),
    burst_refill_seconds: Type.Integer(),
  }),
});

export function meRoutes(app: FastifyInstance, me: MeService, apiKeys: ApiKeyService): void {
  app.get('/v1/me', {
    schema: {
      operationId: 'me.get',
      tags: ['Workspace'],
      summary: 'Who this key is',
      description: "The key's user, workspace, scope, grants and rate limit. Any valid key may call it.",
      response: { 200: ItemEnvelope(MeOut), ...commonErrors() },
    },
    handler: async (request) => {
      const { user, workspace, apiKey, budget } = await me.describe(actorOf(request));
      return item(request, {
        user: presentUser(user),
        workspace: presentWorkspace(workspace),
        api_key: apiKey ? presentApiKey(apiKeys.present(apiKey)) : null,
        rate_limit: { limit_per_minute: budget.perMinute, burst: budget.burst, burst_refill_seconds: BURST_REFILL_SECONDS },
      });
    },
  });
}
