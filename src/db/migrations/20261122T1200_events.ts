/**
 * Events (the change log), webhook endpoints and their deliveries (the
 * transactional outbox), and stored responses for Idempotency-Key.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

const workspaceColumn = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade');

export async function up(db: Kysely<any>): Promise<void> {
  // One row per change, written in the transaction of the change.
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text')
    // {"object": …, "previous_attributes": …} as JSON text
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_key_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_workspace_created').on('events').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('events_workspace_record').on('events').columns(['workspace_id', 'record_id', 'created_at']).execute();
  await db.schema.createIndex('events_created').on('events').columns(['created_at']).execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // JSON array of event types, or ["*"]
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    // after a rotation the old secret signs too, until it expires
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'bigint')
    // when the current run of failed attempts began; null while deliveries succeed
    .addColumn('failing_since', 'bigint')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_workspace_created').on('webhook_endpoints').columns(['workspace_id', 'created_at', 'id']).execute();

  // The outbox: one row per (event, endpoint), claimed by any instance's worker with a lease.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    // pending | succeeded | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_latency_ms', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_endpoint_created').on('webhook_deliveries').columns(['endpoint_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('key', 'text', (c) => c.notNull())
    // SHA-256 of method, path and body
    .addColumn('request_hash', 'text', (c) => c.notNull())
    // in_flight | done
    .addColumn('state', 'text', (c) => c.notNull())
    // an in-flight claim older than this was abandoned (a crash) and may be taken over
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['workspace_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'webhook_deliveries', 'webhook_endpoints', 'events']) await db.schema.dropTable(table).execute();
}
