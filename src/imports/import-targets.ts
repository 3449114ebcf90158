/**
 * What an import writes, per record type: the create schema each row must
 * satisfy, and how the type's own service finds the record a row duplicates
 * (by the type's unique key), creates one and updates one, inside the import's
 * transaction. The rules are the services'; this table only points at them.
 */
import type { TObject } from '@sinclair/typebox';
import type { Actor, GrantResource } from '../domain/actor.js';
import type { DomainError } from '../domain/errors.js';
import { normalizeDomain, normalizeEmail } from '../domain/normalize.js';
import type { Written } from '../domain/upsert.js';
import type { Executor } from '../db/transactor.js';
import { externalKey, type ExternalKey } from '../resources/activities/activities.repository.js';
import type { ActivityService } from '../resources/activities/activities.service.js';
import type { CompanyService } from '../resources/companies/companies.service.js';
import type { ContactService } from '../resources/contacts/contacts.service.js';
import type { DealService } from '../resources/deals/deals.service.js';
import type { LeadService } from '../resources/leads/leads.service.js';
import { ActivityCreate } from '../resources/activities/activities.schema.js';
import { CompanyCreate } from '../resources/companies/companies.schema.js';
import { ContactCreate } from '../resources/contacts/contacts.schema.js';
import { DealCreate } from '../resources/deals/deals.schema.js';
import { LeadCreate } from '../resources/leads/leads.schema.js';

export const IMPORT_RESOURCES = ['contacts', 'companies', 'leads', 'deals', 'activities'] as const;
export type ImportResource = (typeof IMPORT_RESOURCES)[number];

type Row = Record<string, unknown>;

export interface ImportTarget {
  resource: ImportResource;
  grant: GrantResource;
  /** The create body each row must be. */
  schema: TObject;
  /** The unique key a duplicate is found by, for messages ("email"); undefined when the type has none. */
  keyName: string | undefined;
  /**
   * Every unique value a record written from this row would hold, normalised
   * (a contact's emails; a company's domain): rows of one batch that share one
   * are written one after another, in file order, as if the file were read row by row.
   */
  claimsOf(row: Row): string[];
  /** For each row, the record it duplicates by the type's unique key, if any. */
  find(db: Executor, actor: Actor, rows: Row[]): Promise<(string | undefined)[]>;
  create(db: Executor, actor: Actor, row: Row, at: number): Promise<{ id: string }>;
  /** Creates many rows at once: each row's record, or the error that refused it (and wrote nothing). Absent: rows are created one by one. */
  createMany?(db: Executor, actor: Actor, rows: Row[], at: number): Promise<({ id: string } | DomainError)[]>;
  /** Absent for types an import does not update (their rows are matched by fingerprint only). */
  update?(db: Executor, actor: Actor, id: string, row: Row, at: number): Promise<Written<{ id: string }>>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

const emailsOf = (row: Row) => (Array.isArray(row.emails) ? (row.emails as { email?: unknown; primary?: unknown }[]) : []);

/** A contact's key: its primary email, or the first of `emails`. */
function contactEmail(row: Row): string | undefined {
  const emails = emailsOf(row);
  const email = text(row.email) ?? text(emails.find((e) => e.primary === true)?.email) ?? text(emails[0]?.email);
  return email === undefined ? undefined : normalizeEmail(email);
}

/** An activity's key: its source and external id, as the service stores them (trimmed). */
function activityKey(row: Row): ExternalKey | undefined {
  const source = text(row.source);
  const externalId = text(row.external_id);
  return source === undefined || externalId === undefined ? undefined : { source: source.trim(), external_id: externalId.trim() };
}

const companyDomain = (row: Row): string | undefined => (text(row.domain) === undefined ? undefined : normalizeDomain(row.domain as string));

export interface ImportServices {
  contacts: ContactService;
  companies: CompanyService;
  leads: LeadService;
  deals: DealService;
  activities: ActivityService;
}

export function importTargets(services: ImportServices): Record<ImportResource, ImportTarget> {
  const { contacts, companies, leads, deals, activities } = services;
  return {
    contacts: {
      resource: 'contacts',
      grant: 'contacts',
      schema: ContactCreate,
      keyName: 'email',
      claimsOf: (row) => [text(row.email), ...emailsOf(row).map((e) => text(e.email))].flatMap((email) => (email === undefined ? [] : [normalizeEmail(email)])),
      find: async (db, actor, rows) => {
        const keys = rows.map(contactEmail);
        const byEmail = await contacts.findIdsByEmails(db, actor.workspaceId, keys.filter((k) => k !== undefined));
        return keys.map((key) => (key === undefined ? undefined : byEmail.get(key)));
      },
      create: (db, actor, row, at) => contacts.createIn(db, actor, row, at),
      createMany: (db, actor, rows, at) => contacts.createManyIn(db, actor, rows, at),
      update: (db, actor, id, row, at) => contacts.updateIn(db, actor, id, row, at),
    },
    companies: {
      resource: 'companies',
      grant: 'companies',
      schema: CompanyCreate,
      keyName: 'domain',
      claimsOf: (row) => {
        const domain = companyDomain(row);
        return domain === undefined ? [] : [domain];
      },
      find: async (db, actor, rows) => {
        const keys = rows.map(companyDomain);
        const byDomain = await companies.findIdsByDomains(db, actor.workspaceId, keys.filter((k) => k !== undefined));
        return keys.map((key) => (key === undefined ? undefined : byDomain.get(key)));
      },
      create: (db, actor, row, at) => companies.createIn(db, actor, row as CompanyCreate, at),
      createMany: (db, actor, rows, at) => companies.createManyIn(db, actor, rows as CompanyCreate[], at),
      update: (db, actor, id, row, at) => companies.updateIn(db, actor, id, row, at),
    },
    leads: {
      resource: 'leads',
      grant: 'leads',
      schema: LeadCreate,
      keyName: 'email',
      claimsOf: (row) => {
        const email = text(row.email);
        return email === undefined ? [] : [normalizeEmail(email)];
      },
      find: async (db, actor, rows) => {
        const keys = rows.map((row) => {
          const email = text(row.email);
          return email === undefined ? undefined : normalizeEmail(email);
        });
        const byEmail = await leads.findIdsByEmails(db, actor.workspaceId, keys.filter((k) => k !== undefined));
        return keys.map((key) => (key === undefined ? undefined : byEmail.get(key)));
      },
      create: (db, actor, row, at) => leads.createIn(db, actor, row as LeadCreate, at),
      createMany: (db, actor, rows, at) => leads.createManyIn(db, actor, rows as LeadCreate[], at),
      update: (db, actor, id, row, at) => leads.updateIn(db, actor, id, row, at),
    },
    deals: {
      resource: 'deals',
      grant: 'deals',
      schema: DealCreate,
      keyName: undefined,
      claimsOf: () => [],
      find: async (_db, _actor, rows) => rows.map(() => undefined),
      create: (db, actor, row, at) => deals.createIn(db, actor, row as DealCreate, at),
      createMany: (db, actor, rows, at) => deals.createManyIn(db, actor, rows as DealCreate[], at),
    },
    activities: {
      resource: 'activities',
      grant: 'activities',
      schema: ActivityCreate,
      keyName: 'external_id',
      claimsOf: (row) => {
        const key = activityKey(row);
        return key === undefined ? [] : [externalKey(key.source, key.external_id)];
      },
      find: async (db, actor, rows) => {
        const keys = rows.map(activityKey);
        const byKey = await activities.findIdsByExternalIds(db, actor.workspaceId, keys.filter((k) => k !== undefined));
        return keys.map((key) => (key === undefined ? undefined : byKey.get(externalKey(key.source, key.external_id))));
      },
      create: (db, actor, row, at) => activities.createIn(db, actor, row as ActivityCreate, at),
      createMany: (db, actor, rows, at) => activities.createManyIn(db, actor, rows as ActivityCreate[], at),
    },
  };
}
