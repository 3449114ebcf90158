/** The queries behind activities' and tasks' links to contacts, companies, deals and leads. */
import { unknownReference, type DomainError } from '../domain/errors.js';
import type { ReferencedType } from '../domain/references.js';
import { LINKS } from '../resources/shared/record-links.js';
import { existingIds } from './records.js';
import type { RecordLinks } from './schema.js';
import type { Executor } from './transactor.js';
import { clearReference, moveReference } from './unlink.js';

/** Refuses a link to a record that is not in the workspace (422 naming the field). */
export async function checkLinks(db: Executor, workspaceId: string, links: RecordLinks): Promise<void> {
  const [error] = await linkErrors(db, workspaceId, [links]);
  if (error) throw error;
}

/** For each record, its first link to a record that is not in the workspace: one query per kind of link for the whole list (an import's batch). */
export async function linkErrors(db: Executor, workspaceId: string, records: readonly RecordLinks[]): Promise<(DomainError | undefined)[]> {
  const errors: (DomainError | undefined)[] = records.map(() => undefined);
  for (const { field, table, noun } of LINKS) {
    const ids = records.flatMap((r, i) => (errors[i] === undefined && r[field] !== null ? [r[field]] : []));
    if (ids.length === 0) continue;
    const found = await existingIds(db, table, workspaceId, ids);
    records.forEach((r, i) => {
      const id = r[field];
      if (errors[i] === undefined && id !== null && !found.has(id)) errors[i] = unknownReference(field, noun);
    });
  }
  return errors;
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
