/** Endpoint discovery: clients ask where a user's API lives before anything else, without a key. */
import type { RpcContext } from '../context.js';
import type { RpcMethod } from '../protocol.js';

export const discoveryMethods: RpcMethod<RpcContext>[] = [
  {
    name: 'getApiForUsername',
    description: "Where the API is: {api, login, iphone}, each this server's host (clients call https://{api}/api/v1/json). No key needed.",
    params: [{ name: 'username', type: 'string', required: true, description: "The user's email." }],
    public: true,
    run: async (ctx) => {
      const host = new URL(ctx.deps.publicUrl).host;
      return { api: host, login: host, iphone: host };
    },
  },
];
