import { addressFromColumns, addressToColumns, ADDRESS_COLUMNS } from '../../db/address-columns.js';
import type { Capabilities } from '../../db/capabilities.js';
import { chunks, IN_LIST_MAX, insertRows } from '../../db/bulk.js';
import { listRows, type ListScope } from '../../db/list-rows.js';
import type { ContactTable } from '../../db/schema.js';
import { prepared } from '../../db/prepared.js';
import { deleteRecord, recordExists, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference, moveReference } from '../../db/unlink.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import type { Address, JsonObject } from '../../domain/normalize.js';
import { contactListSpec } from './contacts.list.js';
import { tagsColumn, withTags, type TagRef } from '../tags/tags.repository.js';

export interface LabelledEmail {
  email: string;
  label: string | null;
}
export interface LabelledPhone {
  phone: string;
  label: string | null;
}

/** A contact; `emails[0]` and `phones[0]` are the primary ones, mirrored by `email` and `phone`. */
export interface Contact {
  id: string;
  first_name: string | null;
  last_name: string | null;
  emails: LabelledEmail[];
  phones: LabelledPhone[];
  title: string | null;
  company_id: string | null;
  owner_id: string | null;
  status: string;
  source: string | null;
  description: string | null;
  website: string | null;
  address: Address;
  custom_fields: JsonObject;
  created_at: number;
  updated_at: number;
  version: number;
}

type Row = Omit<ContactTable, 'workspace_id'>;
const COLUMNS = ['id', 'first_name', 'last_name', 'email', 'emails', 'phone', 'phones', 'title', 'company_id', 'owner_id', 'status', 'source', 'description', 'website', ...ADDRESS_COLUMNS, 'custom_fields', 'created_at', 'updated_at', 'version'] as const;

const fromRow = (row: Row): Contact => ({
  id: row.id,
  first_name: row.first_name,
  last_name: row.last_name,
  emails: JSON.parse(row.emails) as LabelledEmail[],
  phones: JSON.parse(row.phones) as LabelledPhone[],
  title: row.title,
  company_id: row.company_id,
  owner_id: row.owner_id,
  status: row.status,
  source: row.source,
  description: row.description,
  website: row.website,
  address: addressFromColumns(row),
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
  version: row.version,
});

// Field by field: an object rest (`{ address, ...contact }`) made this about ten times slower, which an import of a million rows feels.
const toRow = (contact: Contact): Row => ({
  id: contact.id,
  first_name: contact.first_name,
  last_name: contact.last_name,
  email: contact.emails[0]?.email ?? null,
  emails: JSON.stringify(contact.emails),
  phone: contact.phones[0]?.phone ?? null,
  phones: JSON.stringify(contact.phones),
  title: contact.title,
  company_id: contact.company_id,
  owner_id: contact.owner_id,
  status: contact.status,
  source: contact.source,
  description: contact.description,
  website: contact.website,
  ...addressToColumns(contact.address),
  custom_fields: JSON.stringify(contact.custom_fields),
  created_at: contact.created_at,
  updated_at: contact.updated_at,
  version: contact.version,
});

export class ContactRepository {
  constructor(private readonly capabilities: Capabilities) {}

  /** New contacts and their email rows, in multi-row statements. */
  async insertMany(db: Executor, workspaceId: string, contacts: Contact[]): Promise<void> {
    await insertRows(db, 'contacts', contacts.map((contact) => ({ workspace_id: workspaceId, ...toRow(contact) })));
    await insertRows(db, 'contact_emails', contacts.flatMap((contact) => emailRows(workspaceId, contact)));
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Contact | undefined> {
    const [row] = await this.findQuery(db, workspaceId, id);
    return row && fromRow(row);
  }

  private readonly findQuery = prepared((db: Executor, workspaceId: string, id: string) =>
    db.selectFrom('contacts').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id),
  );

  /** The contact with its tags, in one query. */
  async findTagged(db: Executor, workspaceId: string, id: string): Promise<(Contact & { tags: TagRef[] }) | undefined> {
    const [row] = await this.findTaggedQuery(db, workspaceId, id);
    return row && withTags(fromRow(row), row.tags);
  }

  private readonly findTaggedQuery = prepared((db: Executor, workspaceId: string, id: string) =>
    db.selectFrom('contacts').select(COLUMNS).select(tagsColumn(this.capabilities, 'contact')).where('workspace_id', '=', workspaceId).where('id', '=', id),
  );

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'contacts', workspaceId, id);
  }

  /** Which contact holds each of these addresses, if any. */
  async ownersOfEmails(db: Executor, workspaceId: string, emails: string[]): Promise<{ email: string; contact_id: string }[]> {
    if (emails.length === 0) return [];
    if (emails.length === 1) return this.ownerOfEmail(db, workspaceId, emails[0] as string);
    const owners: { email: string; contact_id: string }[] = [];
    for (const piece of chunks(emails, IN_LIST_MAX)) {
      owners.push(...(await db.selectFrom('contact_emails').select(['email', 'contact_id']).where('workspace_id', '=', workspaceId).where('email', 'in', piece).execute()));
    }
    return owners;
  }

  private readonly ownerOfEmail = prepared((db: Executor, workspaceId: string, email: string) =>
    db.selectFrom('contact_emails').select(['email', 'contact_id']).where('workspace_id', '=', workspaceId).where('email', '=', email),
  );

  /** A page of contacts with their tags, in one query. */
  async list(db: Executor, workspaceId: string, query: ListQuery, scope?: ListScope) {
    const page = await listRows<Row & { tags: unknown }>(db, this.capabilities, contactListSpec, workspaceId, query, [...COLUMNS, tagsColumn(this.capabilities, 'contact')], scope);
    return { ...page, rows: page.rows.map((row) => withTags(fromRow(row), row.tags)) };
  }

  /**
   * Writes the whole record if it is still at `expectedVersion`; false when it moved on (the caller
   * throws, which rolls the transaction back). The old addresses leave `contact_emails` while the
   * row still lists them, and the new ones arrive once it does: the search triggers then rewrite
   * the contact's document once (for the row), not once more per removed address.
   */
  async replace(db: Executor, workspaceId: string, contact: Contact, previous: Contact): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(contact);
    const emailsChanged = JSON.stringify(previous.emails) !== JSON.stringify(contact.emails);
    if (emailsChanged) await db.deleteFrom('contact_emails').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
    if (!(await replaceRecord(db, 'contacts', workspaceId, id, changes, previous.version))) return false;
    if (emailsChanged) await this.insertEmails(db, workspaceId, contact);
    return true;
  }

  async delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('contact_emails').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
    await deleteRecord(db, 'contacts', workspaceId, id);
  }

  /** Contacts let go of a deleted owner or company. */
  async release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
    if (type === 'user') await clearReference(db, 'contacts', 'owner_id', workspaceId, id, at);
    if (type === 'company') await clearReference(db, 'contacts', 'company_id', workspaceId, id, at);
  }

  /** The contacts of a merged company belong to the survivor. */
  async reassign(db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
    return type === 'company' ? moveReference(db, 'contacts', 'company_id', workspaceId, fromId, toId, at) : [];
  }

  private async insertEmails(db: Executor, workspaceId: string, contact: Contact): Promise<void> {
    await insertRows(db, 'contact_emails', emailRows(workspaceId, contact));
  }
}

/** A contact's addresses as `contact_emails` rows: the unique index that dedup relies on. */
function emailRows(workspaceId: string, contact: Contact) {
  return contact.emails.map((e, position) => ({ workspace_id: workspaceId, email: e.email, contact_id: contact.id, label: e.label, position }));
}
