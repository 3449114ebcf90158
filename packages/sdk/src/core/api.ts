/** What resources call: one operation by its operationId, typed from the generated document. */
import type { RequestOptions, WriteOptions } from './options.js';
import type { DataOf, ItemOf, MetaOf, OperationId, Page } from './operation-types.js';
import { PagePromise } from './paging.js';
import type { CallSpec, Transport } from './transport.js';

export class Api {
  constructor(readonly transport: Transport) {}

  /** The `data` of the operation's answer. */
  async data<K extends OperationId>(operation: K, spec: CallSpec, options?: WriteOptions): Promise<DataOf<K>> {
    const envelope = (await this.transport.call(operation, spec, options)) as { data: DataOf<K> };
    return envelope.data;
  }

  /** The answer as text (CSV reports). */
  async text(operation: OperationId, spec: CallSpec, options?: RequestOptions): Promise<string> {
    return (await this.transport.call(operation, { ...spec, as: 'text' }, options)) as string;
  }

  /** The answer as a Response whose body the caller streams (exports). */
  async response(operation: OperationId, spec: Omit<CallSpec, 'as'>, options?: RequestOptions): Promise<Response> {
    return (await this.transport.call(operation, { ...spec, as: 'response' }, options)) as Response;
  }

  /** A paged list: awaitable to its first page, async-iterable over every record. */
  list<K extends OperationId>(operation: K, spec: Omit<CallSpec, 'body' | 'as'>, options?: RequestOptions): PagePromise<ItemOf<K>, MetaOf<K>> {
    return new PagePromise(async (cursor) => {
      const query = cursor === undefined ? spec.query : { ...spec.query, cursor };
      return (await this.transport.call(operation, { ...spec, query }, options)) as Page<ItemOf<K>, MetaOf<K>>;
    });
  }
}
