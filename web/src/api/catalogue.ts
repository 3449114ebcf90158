/**
 * The server's own lists, imported from its source so the web app never keeps
 * a second copy: the resources a custom key can be granted, user roles, the
 * webhook event catalogue, and the plans' rate limits. (Bundled at build time; constants only.)
 */
export { GRANT_RESOURCES, KEY_SCOPES, USER_ROLES } from '../../../src/domain/actor';
export { SUBSCRIBABLE_EVENT_TYPES } from '../../../src/events/event-types';
export { PLAN_BUDGETS, PLANS } from '../../../src/domain/rate-limits';
