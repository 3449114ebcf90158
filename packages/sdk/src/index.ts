/**
 * @trellis/sdk: `import Trellis from '@trellis/sdk'` (or `{ Trellis }`, or
 * `require('@trellis/sdk')`), then `new Trellis({ apiKey, baseUrl })`.
 */
import { Trellis } from './client.js';

export { Trellis };
export default Trellis;
export * from './errors.js';
export { PagePromise } from './core/paging.js';
export { newIdempotencyKey } from './core/transport.js';
export { verify as verifyWebhook, sign as signWebhook, webhooks, WebhookVerificationError } from './webhooks.js';
export type { WebhookEvent, VerifyOptions, RawBody, HeadersLike } from './webhooks.js';
export type { ClientOptions, RequestOptions, WriteOptions, RateLimitState, HeaderMap } from './core/options.js';
export type { BodyOf, DataOf, EnvelopeOf, ItemOf, ListMeta, MetaOf, OperationId, Page, QueryOf, QueryValue, Schemas } from './core/operation-types.js';
export type * from './generated/schemas.js';
export type { components, operations, paths } from './generated/openapi.js';
export { OPERATIONS } from './generated/operations.js';
export type { ImportJob, ImportQuery, ExportResource } from './resources/transfers.js';
export type { EventStreamOptions } from './resources/events.js';
