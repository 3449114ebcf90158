/**
 * Queries over `search_documents` (made and kept in step by the search
 * migration's triggers). Full-text syntax differs between SQLite FTS5 and
 * PostgreSQL tsquery; that difference lives in the two SearchDialect
 * implementations below, and nowhere else.
 *
 * Ranking is by match tier, not by bm25/ts_rank: a document's score depends on
 * the document and the query only (never on the rest of the corpus), so the same
 * record keeps its place between two pages and the cursor can be a keyset.
 *   3  every word is a whole word of the name
 *   2  every word begins a word of the name
 *   1  every word is a whole word somewhere (an email's parts, a domain, a phone number)
 *   0  every word begins a word somewhere
 * Ties: title (lower-cased), then type, then id.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Capabilities } from '../db/capabilities.js';
import { rowCount } from '../db/row-counts.js';
import type { Executor } from '../db/transactor.js';
import type { SearchType } from './search-terms.js';

export interface SearchDocument {
  record_type: SearchType;
  record_id: string;
  title: string;
  subtitle: string | null;
  title_key: string;
  names: string;
  emails: string;
  phones: string;
  phone_numbers: string;
  other: string;
}

export interface ScoredDocument extends SearchDocument {
  score: number;
}

/** Where the previous page ended, in the order score desc, title_key, record_type, record_id. */
export interface SearchPosition {
  score: number;
  titleKey: string;
  type: string;
  id: string;
}

interface SearchDialect {
  /** A page of the documents matching every word (as a prefix), best first, after `after`. */
  page(db: Executor, workspaceId: string, types: SearchType[], words: string[], after: SearchPosition | null, limit: number): Promise<ScoredDocument[]>;
  count(db: Executor, workspaceId: string, types: SearchType[], words: string[]): Promise<number>;
  /** Documents that hold one of these digit strings as a whole phone number or as the ending of one. */
  phoneHolders(db: Executor, workspaceId: string, types: SearchType[], digitStrings: string[]): Promise<SearchDocument[]>;
}

const DOCUMENT_COLUMNS = sql.raw('d.record_type, d.record_id, d.title, d.subtitle, d.title_key, d.names, d.emails, d.phones, d.phone_numbers, d.other');

const inTypes = (types: SearchType[]) =>
  sql.join(
    types.map((t) => sql`${t}`),
    sql`, `,
  );

// --- SQLite FTS5 ---------------------------------------------------------------------------

/** FTS5 query text. Words are letters, digits and marks only (search-terms.ts), so quoting them is enough. */
const fts = {
  phrase: (word: string, prefix: boolean) => `"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}`,
  all: (words: string[], prefix: boolean) => words.map((w) => fts.phrase(w, prefix)).join(' AND '),
  names: (words: string[], prefix: boolean) => `names : (${fts.all(words, prefix)})`,
};

const sqliteDialect: SearchDialect = {
  async page(db, workspaceId, types, words, after, limit) {
    const tier = (query: string) => sql`d.id in (select rowid from search_fts where search_fts match ${query})`;
    const position =
      after === null
        ? sql``
        : sql`and (m.score < ${after.score} or (m.score = ${after.score} and (m.title_key, m.record_type, m.record_id) > (${after.titleKey}, ${after.type}, ${after.id})))`;
    // cross join: the full-text match drives, then each hit's document by rowid.
    const result = await sql<ScoredDocument>`
      select m.* from (
        select ${DOCUMENT_COLUMNS},
          case when ${tier(fts.names(words, false))} then 3 when ${tier(fts.names(words, true))} then 2 when ${tier(fts.all(words, false))} then 1 else 0 end as score
        from search_fts f cross join search_documents d on d.id = f.rowid
        where search_fts match ${fts.all(words, true)} and d.workspace_id = ${workspaceId} and d.record_type in (${inTypes(types)})
      ) m
      where 1 = 1 ${position}
      order by m.score desc, m.title_key, m.record_type, m.record_id
      limit ${rowCount(limit)}`.execute(db);
    return result.rows;
  },

  async count(db, workspaceId, types, words) {
    const result = await sql<{ n: number }>`
      select count(*) as n from search_fts f cross join search_documents d on d.id = f.rowid
      where search_fts match ${fts.all(words, true)} and d.workspace_id = ${workspaceId} and d.record_type in (${inTypes(types)})`.execute(db);
    return Number(result.rows[0]?.n ?? 0);
  },

  async phoneHolders(db, workspaceId, types, digitStrings) {
    const query = `phones : (${digitStrings.map((d) => fts.phrase(d, false)).join(' OR ')})`;
    const result = await sql<SearchDocument>`
      select ${DOCUMENT_COLUMNS} from search_fts f cross join search_documents d on d.id = f.rowid
      where search_fts match ${query} and d.workspace_id = ${workspaceId} and d.record_type in (${inTypes(types)})`.execute(db);
    return result.rows;
  },
};

// --- PostgreSQL tsvector -------------------------------------------------------------------

/**
 * A tsquery of all words, each folded by search_text() (the function the documents were
 * folded with), as a prefix (`:*`) or whole, optionally only among the names (weight A).
 * A word is letters, digits and marks only, so wrapping it in quotes is safe.
 */
function tsquery(words: string[], prefix: boolean, namesOnly: boolean): RawBuilder<unknown> {
  const flags = `${prefix ? '*' : ''}${namesOnly ? 'A' : ''}`;
  const suffix = flags === '' ? "'" : `':${flags}`;
  const parts = words.map((w) => sql`to_tsquery('simple', '''' || search_text(${w}) || ${suffix})`);
  return sql`(${sql.join(parts, sql` && `)})`;
}

const postgresDialect: SearchDialect = {
  async page(db, workspaceId, types, words, after, limit) {
    const position =
      after === null
        ? sql``
        : sql`and (m.score < ${after.score} or (m.score = ${after.score} and (m.title_key collate "C", m.record_type collate "C", m.record_id collate "C") > (${after.titleKey}, ${after.type}, ${after.id})))`;
    const result = await sql<ScoredDocument>`
      select m.* from (
        select ${DOCUMENT_COLUMNS},
          case when d.document @@ ${tsquery(words, false, true)} then 3 when d.document @@ ${tsquery(words, true, true)} then 2
               when d.document @@ ${tsquery(words, false, false)} then 1 else 0 end as score
        from search_documents d
        where d.document @@ ${tsquery(words, true, false)} and d.workspace_id = ${workspaceId} and d.record_type in (${inTypes(types)})
      ) m
      where 1 = 1 ${position}
      order by m.score desc, m.title_key collate "C", m.record_type collate "C", m.record_id collate "C"
      limit ${rowCount(limit)}`.execute(db);
    return result.rows.map((row) => ({ ...row, score: Number(row.score) }));
  },

  async count(db, workspaceId, types, words) {
    const result = await sql<{ n: number }>`
      select count(*) as n from search_documents d
      where d.document @@ ${tsquery(words, true, false)} and d.workspace_id = ${workspaceId} and d.record_type in (${inTypes(types)})`.execute(db);
    return Number(result.rows[0]?.n ?? 0);
  },

  async phoneHolders(db, workspaceId, types, digitStrings) {
    // Digits only: safe in tsquery text as they are.
    const query = digitStrings.map((d) => `'${d.replace(/\D/g, '')}':C`).join(' | ');
    const result = await sql<SearchDocument>`
      select ${DOCUMENT_COLUMNS} from search_documents d
      where d.document @@ to_tsquery('simple', ${query}) and d.workspace_id = ${workspaceId} and d.record_type in (${inTypes(types)})`.execute(db);
    return result.rows;
  },
};

export class SearchRepository {
  private readonly dialect: SearchDialect;

  constructor(capabilities: Capabilities) {
    this.dialect = capabilities.dialect === 'sqlite' ? sqliteDialect : postgresDialect;
  }

  page(db: Executor, workspaceId: string, types: SearchType[], words: string[], after: SearchPosition | null, limit: number): Promise<ScoredDocument[]> {
    return this.dialect.page(db, workspaceId, types, words, after, limit);
  }

  count(db: Executor, workspaceId: string, types: SearchType[], words: string[]): Promise<number> {
    return this.dialect.count(db, workspaceId, types, words);
  }

  phoneHolders(db: Executor, workspaceId: string, types: SearchType[], digitStrings: string[]): Promise<SearchDocument[]> {
    return this.dialect.phoneHolders(db, workspaceId, types, digitStrings);
  }

  /** The contact and the lead that hold this (normalized) address: contacts through contact_emails, so any of their addresses. */
  async emailHolders(db: Executor, workspaceId: string, types: SearchType[], email: string): Promise<SearchDocument[]> {
    const ids: string[] = [];
    if (types.includes('contact')) {
      const rows = await db.selectFrom('contact_emails').select('contact_id').where('workspace_id', '=', workspaceId).where('email', '=', email).execute();
      ids.push(...rows.map((r) => r.contact_id));
    }
    if (types.includes('lead')) {
      const rows = await db.selectFrom('leads').select('id').where('workspace_id', '=', workspaceId).where('email', '=', email).execute();
      ids.push(...rows.map((r) => r.id));
    }
    if (ids.length === 0) return [];
    const result = await sql<SearchDocument>`
      select ${DOCUMENT_COLUMNS} from search_documents d
      where d.workspace_id = ${workspaceId} and d.record_id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`.execute(db);
    return result.rows;
  }

  /** The company name of each of these deals that has a company: a deal hit's subtitle. */
  async dealCompanies(db: Executor, workspaceId: string, dealIds: string[]): Promise<Map<string, string>> {
    if (dealIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('deals')
      .innerJoin('companies', 'companies.id', 'deals.company_id')
      .select(['deals.id as id', 'companies.name as name'])
      .where('deals.workspace_id', '=', workspaceId)
      .where('deals.id', 'in', dealIds)
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
