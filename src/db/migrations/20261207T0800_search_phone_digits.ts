/**
 * Cheap phone digits in the search documents' SQLite views.
 *
 * The search migration's SQLite views computed a phone number's digits with a
 * walk over 64 character positions whose every step re-ran a second 64-step
 * walk (where the number ends), and the query flattener copied that whole
 * computation into each of the 64 steps of the digit-endings walk: about
 * 500,000 steps, 25 to 50 ms for every write of a contact, company or lead with
 * a phone, in the writer's transaction. That capped imports at a few hundred
 * rows a second and made every write with a phone slow.
 *
 * Now the digits are a plain expression: where the number ends is the first
 * letter or one of `#*,;` (one `instr` per such character), and the usual
 * separators (space, `+ ( ) . - /`, tab, no-break space) are removed with
 * `replace`. Only text with some other character before the end (anything
 * `replace` does not know) takes the character walk, now a single pass.
 * The documents are the same as before, character for character, so nothing
 * is re-indexed. PostgreSQL's views already use regular expressions and stay.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

const run = (db: Kysely<any>, text: string) => sql.raw(text).execute(db);
const fullName = (alias: string) => `trim(coalesce(${alias}.first_name, '') || ' ' || coalesce(${alias}.last_name, ''))`;

/** 1 … 64: the character positions json_each walks (phone numbers are at most 40 characters). */
const POSITIONS = `'[${Array.from({ length: 64 }, (_, i) => i + 1).join(',')}]'`;

/** What ends a number (an extension, a pause): upper case, as `instr` runs on `upper(phone)` (ASCII only). */
const ENDINGS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ#*,;'];

/** The position of the first letter or `#*,;`, or 1000 when there is none. */
const sqliteEnd = (phone: string) => `min(1000, ${ENDINGS.map((c) => `coalesce(nullif(instr(upper(${phone}), '${c}'), 0), 1000)`).join(', ')})`;

/** The number before its end. */
const sqliteHead = (phone: string) => `substr(${phone}, 1, ${sqliteEnd(phone)} - 1)`;

/** The separators a number is written with, removed one `replace` each. */
const SEPARATORS = [`' '`, `'+'`, `'('`, `')'`, `'.'`, `'-'`, `'/'`, 'char(9)', 'char(160)'];
const sqliteStripped = (head: string) => SEPARATORS.reduce((text, separator) => `replace(${text}, ${separator}, '')`, head);

/**
 * The digits of a phone number, up to its extension: the first letter or one of `#*,;`
 * ends the number ("+1 (555) 010-2030 ext. 7" → "15550102030"). Any character other than
 * a digit or a known separator before the end takes the walk over positions (one pass).
 */
const sqliteDigits = (phone: string) => {
  const stripped = sqliteStripped(sqliteHead(phone));
  const walk = `(select group_concat(substr(${phone}, n.value, 1), '' order by n.value) from json_each(${POSITIONS}) n
     where n.value < min(length(${phone}) + 1, ${sqliteEnd(phone)}) and substr(${phone}, n.value, 1) between '0' and '9')`;
  return `coalesce(case when ${stripped} not glob '*[^0-9]*' then ${stripped} else ${walk} end, '')`;
};

/** Every ending of at least 4 digits (and the whole number): a prefix of one of them is any run of the number's digits. */
const sqliteSuffixes = (digits: string) =>
  `(select group_concat(substr(${digits}, n.value), ' ' order by n.value) from json_each(${POSITIONS}) n where n.value <= max(1, length(${digits}) - 3))`;

/**
 * `phones` (the endings, indexed) and `phone_numbers` (the whole numbers) from a subquery of phone texts.
 * `offset 0` keeps the digits a subquery of their own (SQLite never flattens a subquery with an
 * offset into the query around it), so they are computed once per number, not once per ending.
 */
const sqlitePhoneColumns = (phoneTexts: string) => {
  const digits = `(select ${sqliteDigits('t.phone')} as d from (${phoneTexts}) t limit -1 offset 0)`;
  return `
  coalesce((select group_concat(${sqliteSuffixes('p.d')}, ' ') from ${digits} p where p.d <> ''), '') as phones,
  coalesce((select group_concat(p.d, ' ') from ${digits} p where p.d <> ''), '') as phone_numbers`;
};

const viewsWith = (phoneColumns: (phoneTexts: string) => string): Record<string, string> => ({
  search_source_contacts: `
    select s.*, lower(s.title) as title_key from (
      select c.workspace_id, 'contact' as record_type, c.id as record_id,
        coalesce(nullif(${fullName('c')}, ''), c.email, c.phone, '') as title,
        coalesce(c.email, c.phone) as subtitle,
        ${fullName('c')} as names,
        coalesce((select group_concat(e.email, ' ') from (
          select ce.email as email from contact_emails ce where ce.contact_id = c.id
          union select json_extract(j.value, '$.email') from json_each(c.emails) j) e), '') as emails,
        ${phoneColumns(`select json_extract(k.value, '$.phone') as phone from json_each(c.phones) k`)},
        '' as other
      from contacts c) s`,
  search_source_companies: `
    select s.*, lower(s.title) as title_key from (
      select c.workspace_id, 'company' as record_type, c.id as record_id, c.name as title, c.domain as subtitle,
        c.name as names, '' as emails,
        ${phoneColumns('select c.phone as phone where c.phone is not null')},
        coalesce(c.domain, '') as other
      from companies c) s`,
  search_source_leads: `
    select s.*, lower(s.title) as title_key from (
      select l.workspace_id, 'lead' as record_type, l.id as record_id,
        coalesce(nullif(${fullName('l')}, ''), l.email, '') as title,
        coalesce(l.company_name, l.email) as subtitle,
        ${fullName('l')} as names, coalesce(l.email, '') as emails,
        ${phoneColumns('select l.phone as phone where l.phone is not null')},
        coalesce(l.company_name, '') as other
      from leads l) s`,
});

// The search migration's definitions (20261122T1700), for `down`.
const oldDigits = (phone: string) =>
  `coalesce((select group_concat(substr(${phone}, n.value, 1), '' order by n.value) from json_each(${POSITIONS}) n
     where n.value <= length(${phone}) and substr(${phone}, n.value, 1) between '0' and '9'
       and n.value < coalesce((select min(x.value) from json_each(${POSITIONS}) x
                               where x.value <= length(${phone}) and substr(${phone}, x.value, 1) glob '[A-Za-z#*,;]'), 1000)), '')`;
const oldPhoneColumns = (phoneTexts: string) => `
  coalesce((select group_concat(${sqliteSuffixes('p.d')}, ' ') from (select ${oldDigits('t.phone')} as d from (${phoneTexts}) t) p where p.d <> ''), '') as phones,
  coalesce((select group_concat(p.d, ' ') from (select ${oldDigits('t.phone')} as d from (${phoneTexts}) t) p where p.d <> ''), '') as phone_numbers`;

async function replaceViews(db: Kysely<any>, views: Record<string, string>): Promise<void> {
  // Triggers name the views and are compiled when a statement runs, so they pick up the new definitions.
  for (const [view, body] of Object.entries(views)) {
    await run(db, `drop view ${view}`);
    await run(db, `create view ${view} as ${body}`);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) await replaceViews(db, viewsWith(sqlitePhoneColumns));
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) await replaceViews(db, viewsWith(oldPhoneColumns));
}
