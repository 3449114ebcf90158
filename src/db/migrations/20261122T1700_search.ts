/**
 * Universal search: one document per contact, company, lead and deal in
 * `search_documents`, indexed by the database's own full-text machinery
 * (SQLite FTS5, PostgreSQL tsvector + GIN), and kept in step by triggers on the
 * source tables, so no write path (a service, a cascade, a bulk unlink, a merge,
 * a hand-written fix in psql) can leave the index stale.
 *
 * What a document holds is defined once per dialect by the `search_source_*`
 * views; the triggers, this migration's back-fill and the benchmark's bulk load
 * all insert from them.
 *
 * This is the one migration that branches on the dialect: full-text search,
 * JSON functions and trigger bodies have no common SQL between SQLite and
 * PostgreSQL (FTS5 virtual tables vs tsvector columns; json_each vs
 * jsonb_array_elements; trigger statements vs plpgsql functions).
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

const DOCUMENT_COLUMNS = ['workspace_id', 'record_type', 'record_id', 'title', 'subtitle', 'title_key', 'names', 'emails', 'phones', 'phone_numbers', 'other'];
const SOURCES = [
  { type: 'contact', table: 'contacts', view: 'search_source_contacts', columns: ['id', 'workspace_id', 'first_name', 'last_name', 'email', 'emails', 'phone', 'phones'] },
  { type: 'company', table: 'companies', view: 'search_source_companies', columns: ['id', 'workspace_id', 'name', 'domain', 'phone'] },
  { type: 'lead', table: 'leads', view: 'search_source_leads', columns: ['id', 'workspace_id', 'first_name', 'last_name', 'email', 'phone', 'company_name'] },
  { type: 'deal', table: 'deals', view: 'search_source_deals', columns: ['id', 'workspace_id', 'name'] },
] as const;

const run = (db: Kysely<any>, text: string) => sql.raw(text).execute(db);
const list = DOCUMENT_COLUMNS.join(', ');
const fullName = (alias: string) => `trim(coalesce(${alias}.first_name, '') || ' ' || coalesce(${alias}.last_name, ''))`;

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) await upSqlite(db);
  else await upPostgres(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  for (const { table } of SOURCES) {
    for (const event of ['insert', 'update', 'delete']) await run(db, `drop trigger if exists search_${table}_${event}${sqlite ? '' : ` on ${table}`}`);
  }
  for (const event of ['insert', 'update', 'delete']) await run(db, `drop trigger if exists search_contact_emails_${event}${sqlite ? '' : ' on contact_emails'}`);
  for (const { view } of SOURCES) await run(db, `drop view if exists ${view}`);
  if (sqlite) {
    await run(db, 'drop table if exists search_fts');
    await run(db, 'drop table if exists search_documents');
  } else {
    await run(db, 'drop table if exists search_documents');
    for (const fn of ['search_record_changed()', 'search_contact_email_changed()', 'search_reindex(text, text)', 'search_text(text)', 'search_phone_digits(text)', 'search_digit_suffixes(text)']) {
      await run(db, `drop function if exists ${fn}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SQLite: an FTS5 table over search_documents (external content), synced by triggers on
// search_documents; the source tables' triggers rewrite their record's document.
// No application-defined SQL functions: any connection (the benchmark's loader, the sqlite3
// shell) can write to the tables.

/** 1 … 64: the character positions json_each walks (phone numbers are at most 40 characters). */
const POSITIONS = `'[${Array.from({ length: 64 }, (_, i) => i + 1).join(',')}]'`;

/**
 * The digits of a phone number, up to its extension: the first letter or one of `#*,;`
 * ends the number ("+1 (555) 010-2030 ext. 7" → "15550102030").
 */
const sqliteDigits = (phone: string) =>
  `coalesce((select group_concat(substr(${phone}, n.value, 1), '' order by n.value) from json_each(${POSITIONS}) n
     where n.value <= length(${phone}) and substr(${phone}, n.value, 1) between '0' and '9'
       and n.value < coalesce((select min(x.value) from json_each(${POSITIONS}) x
                               where x.value <= length(${phone}) and substr(${phone}, x.value, 1) glob '[A-Za-z#*,;]'), 1000)), '')`;

/** Every ending of at least 4 digits (and the whole number): a prefix of one of them is any run of the number's digits. */
const sqliteSuffixes = (digits: string) =>
  `(select group_concat(substr(${digits}, n.value), ' ' order by n.value) from json_each(${POSITIONS}) n where n.value <= max(1, length(${digits}) - 3))`;

/** `phones` (the endings, indexed) and `phone_numbers` (the whole numbers) from a subquery of phone texts. */
const sqlitePhoneColumns = (phoneTexts: string) => `
  coalesce((select group_concat(${sqliteSuffixes('p.d')}, ' ') from (select ${sqliteDigits('t.phone')} as d from (${phoneTexts}) t) p where p.d <> ''), '') as phones,
  coalesce((select group_concat(p.d, ' ') from (select ${sqliteDigits('t.phone')} as d from (${phoneTexts}) t) p where p.d <> ''), '') as phone_numbers`;

const SQLITE_VIEWS: Record<string, string> = {
  search_source_contacts: `
    select s.*, lower(s.title) as title_key from (
      select c.workspace_id, 'contact' as record_type, c.id as record_id,
        coalesce(nullif(${fullName('c')}, ''), c.email, c.phone, '') as title,
        coalesce(c.email, c.phone) as subtitle,
        ${fullName('c')} as names,
        coalesce((select group_concat(e.email, ' ') from (
          select ce.email as email from contact_emails ce where ce.contact_id = c.id
          union select json_extract(j.value, '$.email') from json_each(c.emails) j) e), '') as emails,
        ${sqlitePhoneColumns(`select json_extract(k.value, '$.phone') as phone from json_each(c.phones) k`)},
        '' as other
      from contacts c) s`,
  search_source_companies: `
    select s.*, lower(s.title) as title_key from (
      select c.workspace_id, 'company' as record_type, c.id as record_id, c.name as title, c.domain as subtitle,
        c.name as names, '' as emails,
        ${sqlitePhoneColumns('select c.phone as phone where c.phone is not null')},
        coalesce(c.domain, '') as other
      from companies c) s`,
  search_source_leads: `
    select s.*, lower(s.title) as title_key from (
      select l.workspace_id, 'lead' as record_type, l.id as record_id,
        coalesce(nullif(${fullName('l')}, ''), l.email, '') as title,
        coalesce(l.company_name, l.email) as subtitle,
        ${fullName('l')} as names, coalesce(l.email, '') as emails,
        ${sqlitePhoneColumns('select l.phone as phone where l.phone is not null')},
        coalesce(l.company_name, '') as other
      from leads l) s`,
  search_source_deals: `
    select d.workspace_id, 'deal' as record_type, d.id as record_id, d.name as title, null as subtitle,
      d.name as names, '' as emails, '' as phones, '' as phone_numbers, '' as other, lower(d.name) as title_key
    from deals d`,
};

async function upSqlite(db: Kysely<any>): Promise<void> {
  await run(
    db,
    `create table search_documents (
      id integer primary key,
      workspace_id text not null,
      record_type text not null,
      record_id text not null,
      title text not null,
      subtitle text,
      title_key text not null,
      names text not null,
      emails text not null,
      phones text not null,
      phone_numbers text not null,
      other text not null)`,
  );
  await run(db, 'create unique index search_documents_record on search_documents (record_id)');
  // prefix: one- to three-character prefixes have their own index entries, so "a" or "jo" does
  // not merge thousands of terms. columnsize=0: no bm25 (ranking is by match tier, see src/search).
  await run(
    db,
    `create virtual table search_fts using fts5(names, emails, phones, other,
      content='search_documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3', columnsize=0)`,
  );
  const ftsColumns = 'names, emails, phones, other';
  const values = (row: string) => ftsColumns.split(', ').map((c) => `${row}.${c}`).join(', ');
  await run(db, `create trigger search_documents_insert after insert on search_documents begin
      insert into search_fts (rowid, ${ftsColumns}) values (new.id, ${values('new')}); end`);
  await run(db, `create trigger search_documents_delete after delete on search_documents begin
      insert into search_fts (search_fts, rowid, ${ftsColumns}) values ('delete', old.id, ${values('old')}); end`);
  await run(db, `create trigger search_documents_update after update on search_documents begin
      insert into search_fts (search_fts, rowid, ${ftsColumns}) values ('delete', old.id, ${values('old')});
      insert into search_fts (rowid, ${ftsColumns}) values (new.id, ${values('new')}); end`);

  for (const [view, body] of Object.entries(SQLITE_VIEWS)) await run(db, `create view ${view} as ${body}`);

  const reindex = (view: string, id: string) =>
    `delete from search_documents where record_id = ${id};
     insert into search_documents (${list}) select ${list} from ${view} where record_id = ${id};`;
  for (const { table, view, columns } of SOURCES) {
    const changed = columns.map((c) => `old.${c} is not new.${c}`).join(' or ');
    await run(db, `create trigger search_${table}_insert after insert on ${table} begin ${reindex(view, 'new.id')} end`);
    await run(db, `create trigger search_${table}_update after update on ${table} when ${changed} begin
        delete from search_documents where record_id = old.id; ${reindex(view, 'new.id')} end`);
    await run(db, `create trigger search_${table}_delete after delete on ${table} begin delete from search_documents where record_id = old.id; end`);
  }
  // A contact's addresses live in contact_emails too: a change there rewrites the contact's document,
  // unless the contact's own list (contacts.emails, which its document holds already) names the
  // address: so the app, which writes both, indexes a new contact once, not once per address.
  const listed = (row: string) =>
    `exists (select 1 from contacts c, json_each(c.emails) j where c.id = ${row}.contact_id and json_extract(j.value, '$.email') = ${row}.email)`;
  await run(db, `create trigger search_contact_emails_insert after insert on contact_emails when not ${listed('new')}
      begin ${reindex('search_source_contacts', 'new.contact_id')} end`);
  await run(db, `create trigger search_contact_emails_update after update on contact_emails begin
      ${reindex('search_source_contacts', 'old.contact_id')} ${reindex('search_source_contacts', 'new.contact_id')} end`);
  await run(db, `create trigger search_contact_emails_delete after delete on contact_emails when not ${listed('old')}
      begin ${reindex('search_source_contacts', 'old.contact_id')} end`);

  // Records written before this migration.
  for (const { view } of SOURCES) await run(db, `insert into search_documents (${list}) select ${list} from ${view}`);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: search_documents carries its tsvector (weights: A names, B emails, C phone
// digits, D domain or company name) under a GIN index; plpgsql trigger functions rewrite a
// record's document. No extension is needed: 'simple' configuration, prefix queries (:*), and
// accents folded by search_text(). The functions pin the search_path they were created with
// (the configured schema), so a session with another search_path still writes the right tables.

/** ASCII punctuation becomes a space before PostgreSQL's parser sees the text (as FTS5's unicode61 treats it), so "jane.smith@acme.com" is the words jane, smith, acme, com. */
const PUNCTUATION = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;
const SPACES = ' '.repeat(PUNCTUATION.length);
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

const PG_VIEWS: Record<string, string> = {
  search_source_contacts: `
    select c.workspace_id, 'contact'::text as record_type, c.id as record_id, t.title, coalesce(c.email, c.phone) as subtitle, lower(t.title) as title_key,
      n.names, e.emails, p.phones, p.phone_numbers, ''::text as other,
      setweight(to_tsvector('simple', search_text(n.names)), 'A') || setweight(to_tsvector('simple', search_text(e.emails)), 'B')
        || setweight(to_tsvector('simple', p.phones), 'C') as document
    from contacts c
    cross join lateral (select ${fullName('c')} as names) n
    cross join lateral (select coalesce(nullif(n.names, ''), c.email, c.phone, '') as title) t
    cross join lateral (select coalesce(string_agg(x.email, ' ' order by x.email), '') as emails from (
      select ce.email from contact_emails ce where ce.contact_id = c.id
      union select j->>'email' from jsonb_array_elements(c.emails::jsonb) j) x) e
    cross join lateral (select coalesce(string_agg(search_digit_suffixes(y.d), ' ' order by y.i), '') as phones,
        coalesce(string_agg(y.d, ' ' order by y.i), '') as phone_numbers
      from (select search_phone_digits(k.value->>'phone') as d, k.i from jsonb_array_elements(c.phones::jsonb) with ordinality k(value, i)) y
      where y.d <> '') p`,
  search_source_companies: `
    select c.workspace_id, 'company'::text as record_type, c.id as record_id, c.name as title, c.domain as subtitle, lower(c.name) as title_key,
      c.name as names, ''::text as emails, search_digit_suffixes(d.d) as phones, d.d as phone_numbers, coalesce(c.domain, '') as other,
      setweight(to_tsvector('simple', search_text(c.name)), 'A') || setweight(to_tsvector('simple', search_digit_suffixes(d.d)), 'C')
        || setweight(to_tsvector('simple', search_text(c.domain)), 'D') as document
    from companies c
    cross join lateral (select search_phone_digits(c.phone) as d) d`,
  search_source_leads: `
    select l.workspace_id, 'lead'::text as record_type, l.id as record_id, t.title, coalesce(l.company_name, l.email) as subtitle, lower(t.title) as title_key,
      n.names, coalesce(l.email, '') as emails, search_digit_suffixes(d.d) as phones, d.d as phone_numbers, coalesce(l.company_name, '') as other,
      setweight(to_tsvector('simple', search_text(n.names)), 'A') || setweight(to_tsvector('simple', search_text(l.email)), 'B')
        || setweight(to_tsvector('simple', search_digit_suffixes(d.d)), 'C') || setweight(to_tsvector('simple', search_text(l.company_name)), 'D') as document
    from leads l
    cross join lateral (select ${fullName('l')} as names) n
    cross join lateral (select coalesce(nullif(n.names, ''), l.email, '') as title) t
    cross join lateral (select search_phone_digits(l.phone) as d) d`,
  search_source_deals: `
    select d.workspace_id, 'deal'::text as record_type, d.id as record_id, d.name as title, null::text as subtitle, lower(d.name) as title_key,
      d.name as names, ''::text as emails, ''::text as phones, ''::text as phone_numbers, ''::text as other,
      setweight(to_tsvector('simple', search_text(d.name)), 'A') as document
    from deals d`,
};

async function upPostgres(db: Kysely<any>): Promise<void> {
  // Lower case, accents off as unicode61's remove_diacritics takes them off (a letter that decomposes into a
  // letter and marks: "José" → "jose", "Åsen" → "asen"; ø, ł, æ stay letters of their own), ASCII punctuation to spaces.
  await run(
    db,
    `create function search_text(t text) returns text language sql immutable parallel safe as $$
      select translate(regexp_replace(normalize(lower(coalesce(t, '')), NFD), '[\\u0300-\\u036f]', '', 'g'), ${literal(PUNCTUATION)}, ${literal(SPACES)})
    $$`,
  );
  // The digits of a phone number up to its extension (the first letter or one of #*,;), as on SQLite.
  await run(
    db,
    `create function search_phone_digits(p text) returns text language sql immutable parallel safe as $$
      select regexp_replace(substring(coalesce(p, '') from '^[^A-Za-z#*,;]*'), '[^0-9]', '', 'g')
    $$`,
  );
  await run(
    db,
    `create function search_digit_suffixes(d text) returns text language sql immutable parallel safe as $$
      select coalesce(string_agg(substr(coalesce(d, ''), i), ' ' order by i), '') from generate_series(1, greatest(1, length(coalesce(d, '')) - 3)) i
    $$`,
  );
  await run(
    db,
    `create table search_documents (
      record_id text primary key,
      workspace_id text not null,
      record_type text not null,
      title text not null,
      subtitle text,
      title_key text not null,
      names text not null,
      emails text not null,
      phones text not null,
      phone_numbers text not null,
      other text not null,
      document tsvector not null)`,
  );
  await run(db, 'create index search_documents_document on search_documents using gin (document)');
  await run(db, 'create index search_documents_workspace on search_documents (workspace_id, record_type)');
  for (const [view, body] of Object.entries(PG_VIEWS)) await run(db, `create view ${view} as ${body}`);

  const columns = `${list}, document`;
  // "on conflict": two transactions rewriting one record's document at once (writes outside the app's
  // per-workspace serialization, say in psql) must not collide on the primary key.
  const upsert = `on conflict (record_id) do update set ${[...DOCUMENT_COLUMNS, 'document']
    .filter((c) => c !== 'record_id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;
  await run(
    db,
    `create function search_reindex(p_type text, p_id text) returns void language plpgsql set search_path from current as $$
    begin
      delete from search_documents where record_id = p_id;
      ${SOURCES.map(({ type, view }, i) => `${i === 0 ? 'if' : 'elsif'} p_type = '${type}' then
        insert into search_documents (${columns}) select ${columns} from ${view} where record_id = p_id ${upsert};`).join('\n      ')}
      end if;
    end $$`,
  );
  await run(
    db,
    `create function search_record_changed() returns trigger language plpgsql set search_path from current as $$
    begin
      if tg_op <> 'INSERT' then delete from search_documents where record_id = old.id; end if;
      if tg_op <> 'DELETE' then perform search_reindex(tg_argv[0], new.id); end if;
      return null;
    end $$`,
  );
  // As on SQLite: an address the contact's own list names is in its document already.
  const pgListed = (row: string) =>
    `exists (select 1 from contacts c cross join jsonb_array_elements(c.emails::jsonb) j where c.id = ${row}.contact_id and j->>'email' = ${row}.email)`;
  await run(
    db,
    `create function search_contact_email_changed() returns trigger language plpgsql set search_path from current as $$
    begin
      if tg_op = 'UPDATE' then
        perform search_reindex('contact', old.contact_id);
        if new.contact_id is distinct from old.contact_id then perform search_reindex('contact', new.contact_id); end if;
      elsif tg_op = 'INSERT' then
        if not ${pgListed('new')} then perform search_reindex('contact', new.contact_id); end if;
      elsif not ${pgListed('old')} then
        perform search_reindex('contact', old.contact_id);
      end if;
      return null;
    end $$`,
  );
  for (const { type, table, columns: watched } of SOURCES) {
    const changed = watched.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
    await run(db, `create trigger search_${table}_insert after insert on ${table} for each row execute function search_record_changed('${type}')`);
    await run(db, `create trigger search_${table}_update after update on ${table} for each row when (${changed}) execute function search_record_changed('${type}')`);
    await run(db, `create trigger search_${table}_delete after delete on ${table} for each row execute function search_record_changed('${type}')`);
  }
  for (const event of ['insert', 'update', 'delete']) {
    await run(db, `create trigger search_contact_emails_${event} after ${event} on contact_emails for each row execute function search_contact_email_changed()`);
  }

  // Records written before this migration.
  for (const { view } of SOURCES) await run(db, `insert into search_documents (${columns}) select ${columns} from ${view}`);
}
