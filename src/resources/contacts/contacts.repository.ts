import { addressFromColumns, addressToColumns, ADDRESS_COLUMNS } from '../../db/address-columns.js';
import type { Capabilities } from '../../db/capabilities.js';
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
  address: Address;
  custom_fields: JsonObject;
  created_at: number;
  updated_at: number;
  version: number;
}

type Row = Omit<ContactTable, 'workspace_id'>;
const COLUMNS = ['id', 'first_name', 'last_name', 'email', 'emails', 'phone', 'phones', 'title', 'company_id', 'owner_id', 'status', 'source', ...ADDRESS_COLUMNS, 'custom_fields', 'created_at', 'updated_at', 'version'] as const;

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
  address: addressFromColumns(row),
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
  version: row.version,
});

const toRow = ({ address, custom_fields, emails, phones, ...contact }: Contact): Row => ({
  ...contact,
  email: emails[0]?.email ?? null,
  emails: JSON.stringify(emails),
  phone: phones[0]?.phone ?? null,
  phones: JSON.stringify(phones),
  ...addressToColumns(address),
  custom_fields: JSON.stringify(custom_fields),
});

export class ContactRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, contact: Contact): Promise<void> {
    await db.insertInto('contacts').values({ ...toRow(contact), workspace_id: workspaceId }).execute();
    await this.insertEmails(db, workspaceId, contact);
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Contact | undefined> {
    const [row] = await this.findQuery(db, workspaceId, id);
    return row && fromRow(row);
  }

  private readonly findQuery = prepared((db: Executor, workspaceId: string, id: string) =>
    db.selectFrom('contacts').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id),
  );

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'contacts', workspaceId, id);
  }

  /** Which contact holds each of these addresses, if any. */
  async ownersOfEmails(db: Executor, workspaceId: string, emails: string[]): Promise<{ email: string; contact_id: string }[]> {
    if (emails.length === 0) return [];
    if (emails.length === 1) return this.ownerOfEmail(db, workspaceId, emails[0] as string);
    return db.selectFrom('contact_emails').select(['email', 'contact_id']).where('workspace_id', '=', workspaceId).where('email', 'in', emails).execute();
  }

  private readonly ownerOfEmail = prepared((db: Executor, workspaceId: string, email: string) =>
    db.selectFrom('contact_emails').select(['email', 'contact_id']).where('workspace_id', '=', workspaceId).where('email', '=', email),
  );

  async list(db: Executor, workspaceId: string, query: ListQuery, scope?: ListScope) {
    const page = await listRows<Row>(db, this.capabilities, contactListSpec, workspaceId, query, COLUMNS, scope);
    return { ...page, rows: page.rows.map(fromRow) };
  }

  /** Writes the whole record if it is still at `expectedVersion`; false when it moved on. */
  async replace(db: Executor, workspaceId: string, contact: Contact, previous: Contact): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(contact);
    if (!(await replaceRecord(db, 'contacts', workspaceId, id, changes, previous.version))) return false;
    if (JSON.stringify(previous.emails) !== JSON.stringify(contact.emails)) {
      await db.deleteFrom('contact_emails').where('workspace_id', '=', workspaceId).where('contact_id', '=', id).execute();
      await this.insertEmails(db, workspaceId, contact);
    }
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
    if (contact.emails.length === 0) return;
    await db
      .insertInto('contact_emails')
      .values(contact.emails.map((e, position) => ({ workspace_id: workspaceId, email: e.email, contact_id: contact.id, label: e.label, position })))
      .execute();
  }
}
