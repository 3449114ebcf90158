/**
 * A list call's result, as in stripe-node: awaiting it gives the first page
 * (`{data, meta}` as the API answers it); `for await` walks every record of
 * every page by cursor; `toArray({max})` collects them. Nothing is requested
 * until it is awaited or iterated, and the first page is requested once.
 */
import type { ListMeta, Page } from './operation-types.js';

export type PageFetcher<T, M> = (cursor: string | undefined) => Promise<Page<T, M>>;

export class PagePromise<T, M = ListMeta> implements Promise<Page<T, M>>, AsyncIterable<T> {
  #first: Promise<Page<T, M>> | undefined;
  readonly [Symbol.toStringTag] = 'PagePromise';

  constructor(private readonly fetchPage: PageFetcher<T, M>) {}

  private first(): Promise<Page<T, M>> {
    return (this.#first ??= this.fetchPage(undefined));
  }

  then<R1 = Page<T, M>, R2 = never>(onfulfilled?: ((page: Page<T, M>) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.first().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T, M> | R> {
    return this.first().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<T, M>> {
    return this.first().finally(onfinally);
  }

  /** Every page, the first one first. */
  async *pages(): AsyncGenerator<Page<T, M>, void, undefined> {
    let page = await this.first();
    for (;;) {
      yield page;
      const { has_more, next_cursor } = page.meta as Pick<ListMeta, 'has_more' | 'next_cursor'>;
      if (!has_more || !next_cursor) return;
      page = await this.fetchPage(next_cursor);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every record of every page, or the first `max`; stops requesting pages once it has them. */
  async toArray(options: { max?: number } = {}): Promise<T[]> {
    const max = options.max ?? Number.POSITIVE_INFINITY;
    const records: T[] = [];
    if (max <= 0) return records;
    for await (const record of this) {
      records.push(record);
      if (records.length >= max) break;
    }
    return records;
  }
}
