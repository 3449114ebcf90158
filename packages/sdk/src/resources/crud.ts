/**
 * The five calls every record resource has (list, create, get, update,
 * delete), named and typed by the resource's operationIds (`contacts.list` …).
 */
import type { Api } from '../core/api.js';
import type { RequestOptions, WriteOptions } from '../core/options.js';
import type { BodyOf, DataOf, ItemOf, MetaOf, OperationId, QueryOf } from '../core/operation-types.js';
import type { PagePromise } from '../core/paging.js';

/** `${resource}.${action}` as an operationId (never when the document has no such operation). */
export type Op<R extends string, A extends string> = Extract<`${R}.${A}`, OperationId>;

export class Resource<R extends string> {
  constructor(
    protected readonly api: Api,
    protected readonly resource: R,
  ) {}

  protected op<A extends string>(action: A): Op<R, A> {
    return `${this.resource}.${action}` as Op<R, A>;
  }
}

export class CrudResource<R extends string> extends Resource<R> {
  /** A page of records (await it) or every record (`for await`, `.toArray({max})`). */
  list(query?: QueryOf<Op<R, 'list'>>, options?: RequestOptions): PagePromise<ItemOf<Op<R, 'list'>>, MetaOf<Op<R, 'list'>>> {
    return this.api.list(this.op('list'), { query }, options);
  }

  create(body: BodyOf<Op<R, 'create'>>, options?: RequestOptions): Promise<DataOf<Op<R, 'create'>>> {
    return this.api.data(this.op('create'), { body }, options);
  }

  get(id: string, options?: RequestOptions): Promise<DataOf<Op<R, 'get'>>> {
    return this.api.data(this.op('get'), { path: { id } }, options);
  }

  /** Changes the fields given; with `ifMatch`, only if the record is still at that version. */
  update(id: string, patch: BodyOf<Op<R, 'update'>>, options?: WriteOptions): Promise<DataOf<Op<R, 'update'>>> {
    return this.api.data(this.op('update'), { path: { id }, body: patch }, options);
  }

  delete(id: string, options?: WriteOptions): Promise<DataOf<Op<R, 'delete'>>> {
    return this.api.data(this.op('delete'), { path: { id } }, options);
  }
}

/** Contacts, companies and leads: written by their unique key, many at a time. */
export class UpsertableResource<R extends 'contacts' | 'companies' | 'leads'> extends CrudResource<R> {
  /** Creates the record, or updates the one with the same unique key (email, domain). */
  upsert(body: BodyOf<Op<R, 'upsert'>>, options?: RequestOptions): Promise<DataOf<Op<R, 'upsert'>>> {
    return this.api.data(this.op('upsert'), { body }, options);
  }

  /** Up to 100 records, each created or upserted on its own; a result per record. */
  bulk(body: BodyOf<Op<R, 'bulk'>>, options?: RequestOptions): Promise<DataOf<Op<R, 'bulk'>>> {
    return this.api.data(this.op('bulk'), { body }, options);
  }

  /** The record's activities, tasks (and a deal's stage changes), newest first. */
  timeline(id: string, query?: QueryOf<Op<R, 'timeline'>>, options?: RequestOptions): PagePromise<ItemOf<Op<R, 'timeline'>>, MetaOf<Op<R, 'timeline'>>> {
    return this.api.list(this.op('timeline'), { path: { id }, query }, options);
  }
}
