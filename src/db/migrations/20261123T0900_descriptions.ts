/**
 * A description on contacts, companies and deals (free text, as Nutshell's
 * contacts, accounts and leads have), and a company's general email address.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['contacts', 'companies', 'deals']) await db.schema.alterTable(table).addColumn('description', 'text').execute();
  await db.schema.alterTable('companies').addColumn('email', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('companies').dropColumn('email').execute();
  for (const table of ['deals', 'companies', 'contacts']) await db.schema.alterTable(table).dropColumn('description').execute();
}
