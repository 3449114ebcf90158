/** Search across records, and the sales reports (JSON or CSV). */
import type { Api } from '../core/api.js';
import type { RequestOptions } from '../core/options.js';
import type { DataOf, ItemOf, MetaOf, QueryOf } from '../core/operation-types.js';
import type { PagePromise } from '../core/paging.js';

type SearchList<K extends 'search' | 'search.byEmail' | 'search.byPhone'> = PagePromise<ItemOf<K>, MetaOf<K>>;

/** `client.search({q})` ranks contacts, companies, leads and deals; `.byEmail`, `.byPhone` look records up. */
export interface Search {
  (query: QueryOf<'search'>, options?: RequestOptions): SearchList<'search'>;
  byEmail(query: QueryOf<'search.byEmail'>, options?: RequestOptions): SearchList<'search.byEmail'>;
  byPhone(query: QueryOf<'search.byPhone'>, options?: RequestOptions): SearchList<'search.byPhone'>;
}

export function search(api: Api): Search {
  return Object.assign((query: QueryOf<'search'>, options?: RequestOptions) => api.list('search', { query }, options), {
    byEmail: (query: QueryOf<'search.byEmail'>, options?: RequestOptions) => api.list('search.byEmail', { query }, options),
    byPhone: (query: QueryOf<'search.byPhone'>, options?: RequestOptions) => api.list('search.byPhone', { query }, options),
  });
}

type ReportName = 'pipeline' | 'sales' | 'conversion' | 'forecast';
type ReportQuery<N extends ReportName> = Omit<QueryOf<`reports.${N}`>, 'format'>;

export class Reports {
  constructor(private readonly api: Api) {}

  pipeline(query?: ReportQuery<'pipeline'>, options?: RequestOptions): Promise<DataOf<'reports.pipeline'>> {
    return this.api.data('reports.pipeline', { query }, options);
  }

  sales(query?: ReportQuery<'sales'>, options?: RequestOptions): Promise<DataOf<'reports.sales'>> {
    return this.api.data('reports.sales', { query }, options);
  }

  conversion(query?: ReportQuery<'conversion'>, options?: RequestOptions): Promise<DataOf<'reports.conversion'>> {
    return this.api.data('reports.conversion', { query }, options);
  }

  forecast(query?: ReportQuery<'forecast'>, options?: RequestOptions): Promise<DataOf<'reports.forecast'>> {
    return this.api.data('reports.forecast', { query }, options);
  }

  /** The report as CSV (RFC 4180, a header row), for a spreadsheet. */
  csv<N extends ReportName>(report: N, query?: ReportQuery<N>, options?: RequestOptions): Promise<string> {
    return this.api.text(`reports.${report}`, { query: { ...query, format: 'csv' } }, options);
  }
}
