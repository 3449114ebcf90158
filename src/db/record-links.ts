/** The queries behind activities' and tasks' links to contacts, companies, deals and leads. */
import { sql } from 'kysely';
import { unknownReference } from '../domain/errors.js';
import type { ReferencedType } from '../domain/references.js';
import { LINKS } from '../resources/shared/record-links.js';
import type { RecordLinks } from './schema.js';
import type { Executor } from './transactor.js';
import { clearReference, moveReference } from './unlink.js';

/** Refuses a link to a record that is not in the workspace (422 naming the field). */
export async function checkLinks(db: Executor, workspaceId: string, links: RecordLinks): Promise<void> {
  for (const { field, table, noun } of LINKS) {
    const id = links[field];
    if (id === null) continue;
    const found = await sql<{ id: string }>`select id from ${sql.table(table)} where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
    if (found.rows.length === 0) throw unknownReference(field, noun);
  }
}

/** Unlinks rows of `table` from a deleted contact, company, deal or lead. */
export async function releaseLinks(db: Executor, table: string, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
  const link = LINKS.find((l) => l.type === type);
  if (link) await clearReference(db, table, link.field, workspaceId, id, at);
}

/** Links rows of `table` that were linked to a merged record to its survivor; answers their ids. */
export async function reassignLinks(db: Executor, table: string, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
  const link = LINKS.find((l) => l.type === type);
  return link ? moveReference(db, table, link.field, workspaceId, fromId, toId, at) : [];
}
