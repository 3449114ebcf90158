/** The sales records: contacts, companies, leads, deals, activities and tasks. */
import type { RequestOptions, WriteOptions } from '../core/options.js';
import type { BodyOf, DataOf, ItemOf, MetaOf, QueryOf } from '../core/operation-types.js';
import type { PagePromise } from '../core/paging.js';
import type { Api } from '../core/api.js';
import { CrudResource, UpsertableResource } from './crud.js';

export class Contacts extends UpsertableResource<'contacts'> {
  constructor(api: Api) {
    super(api, 'contacts');
  }

  /** Merges `duplicate_id` into the contact `id`, which survives; the duplicate is deleted. */
  merge(id: string, body: BodyOf<'contacts.merge'>, options?: WriteOptions): Promise<DataOf<'contacts.merge'>> {
    return this.api.data('contacts.merge', { path: { id }, body }, options);
  }
}

export class Companies extends UpsertableResource<'companies'> {
  /** A company's contacts: `client.companies.contacts.list(companyId)`. */
  readonly contacts: {
    list(companyId: string, query?: QueryOf<'companies.contacts.list'>, options?: RequestOptions): PagePromise<ItemOf<'companies.contacts.list'>, MetaOf<'companies.contacts.list'>>;
  };

  constructor(api: Api) {
    super(api, 'companies');
    this.contacts = { list: (companyId, query, options) => api.list('companies.contacts.list', { path: { id: companyId }, query }, options) };
  }

  merge(id: string, body: BodyOf<'companies.merge'>, options?: WriteOptions): Promise<DataOf<'companies.merge'>> {
    return this.api.data('companies.merge', { path: { id }, body }, options);
  }
}

export class Leads extends UpsertableResource<'leads'> {
  constructor(api: Api) {
    super(api, 'leads');
  }

  /** Makes the lead a contact, a company and (with `deal`) a deal; converting again answers the same. */
  convert(id: string, body: BodyOf<'leads.convert'> = {}, options?: RequestOptions): Promise<DataOf<'leads.convert'>> {
    return this.api.data('leads.convert', { path: { id }, body }, options);
  }
}

export class Deals extends CrudResource<'deals'> {
  constructor(api: Api) {
    super(api, 'deals');
  }

  /** Moves the deal to another stage of its pipeline, recording the change. */
  /** With `{ ifMatch: version }`, PreconditionFailedError when the deal changed since it was read (a stale board card). */
  move(id: string, body: BodyOf<'deals.move'>, options?: WriteOptions): Promise<DataOf<'deals.move'>> {
    return this.api.data('deals.move', { path: { id }, body }, options);
  }

  /** The deal's stage changes, oldest first. */
  history(id: string, query?: QueryOf<'deals.history'>, options?: RequestOptions): PagePromise<ItemOf<'deals.history'>, MetaOf<'deals.history'>> {
    return this.api.list('deals.history', { path: { id }, query }, options);
  }

  timeline(id: string, query?: QueryOf<'deals.timeline'>, options?: RequestOptions): PagePromise<ItemOf<'deals.timeline'>, MetaOf<'deals.timeline'>> {
    return this.api.list('deals.timeline', { path: { id }, query }, options);
  }
}

export class Activities extends CrudResource<'activities'> {
  constructor(api: Api) {
    super(api, 'activities');
  }
}

export class Tasks extends CrudResource<'tasks'> {
  constructor(api: Api) {
    super(api, 'tasks');
  }

  /** Completes the task (again: no change). */
  complete(id: string, options?: RequestOptions): Promise<DataOf<'tasks.complete'>> {
    return this.api.data('tasks.complete', { path: { id } }, options);
  }
}
