/**
 * A contact's web address (a personal site or profile), as Nutshell's
 * contacts have one; a company keeps its own (website).
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('website', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('website').execute();
}
