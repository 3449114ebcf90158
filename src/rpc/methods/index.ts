/** Every JSON-RPC method, by name. */
import type { RpcContext } from '../context.js';
import type { RpcMethod } from '../protocol.js';
import { accountFamily } from './accounts.js';
import { activityFamily } from './activities.js';
import { contactFamily } from './contacts.js';
import { discoveryMethods } from './discovery.js';
import { familyMethods } from './entity-family.js';
import { leadFamily } from './leads.js';
import { lookupMethods } from './lookups.js';
import { searchMethods } from './search.js';
import { taskFamily } from './tasks.js';

export const METHODS: readonly RpcMethod<RpcContext>[] = [
  ...familyMethods(leadFamily),
  ...familyMethods(contactFamily),
  ...familyMethods(accountFamily),
  ...familyMethods(activityFamily),
  ...familyMethods(taskFamily),
  ...lookupMethods,
  ...searchMethods,
  ...discoveryMethods,
];

export const METHOD_TABLE: ReadonlyMap<string, RpcMethod<RpcContext>> = new Map(METHODS.map((method) => [method.name, method]));
