/**
 * Search in the benchmark: keeping the search index (src/db/migrations/
 * 20261122T1700_search.ts) right while seeding straight into SQLite, and the
 * `search` scenario, GET /v1/search over the seeded contacts.
 *
 * The index triggers fire on every insert. During a bulk load they are dropped,
 * like the secondary indexes, and re-created from their own SQL afterwards; the
 * documents of the new rows are then written in one statement from the
 * migration's `search_source_*` view (the definition the triggers use), and the
 * FTS5 table takes them in as they go in. The result is exactly what the
 * triggers would have written, row by row.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Scenario } from './scenarios.js';
import type { Seeded } from './seed.js';

const DOCUMENT_COLUMNS = 'workspace_id, record_type, record_id, title, subtitle, title_key, names, emails, phones, phone_numbers, other';

/**
 * Drops the triggers on these tables (the search index's and the record counters'); `restore`
 * re-creates them from their own SQL and sets the tables' counters (record_counts, and for deals
 * deal_stage_counts) to what the triggers would have counted.
 */
export function suspendTriggers(db: BetterSqlite3.Database, tables: string[]): { restore(): void } {
  const placeholders = tables.map(() => '?').join(', ');
  const triggers = db.prepare(`select name, sql from sqlite_master where type = 'trigger' and tbl_name in (${placeholders})`).all(...tables) as { name: string; sql: string }[];
  for (const trigger of triggers) db.exec(`drop trigger "${trigger.name.replace(/"/g, '""')}"`);
  return {
    restore: () => {
      for (const trigger of triggers) db.exec(trigger.sql);
      for (const table of tables) {
        if (!triggers.some((t) => t.name === `record_counts_${table}_insert`)) continue;
        db.exec(`delete from record_counts where resource = '${table}'`);
        db.exec(`insert into record_counts (workspace_id, resource, count) select workspace_id, '${table}', count(*) from ${table} group by workspace_id`);
      }
      if (triggers.some((t) => t.name === 'deal_stage_counts_insert')) {
        db.exec('delete from deal_stage_counts');
        db.exec('insert into deal_stage_counts (workspace_id, stage_id, count) select workspace_id, stage_id, count(*) from deals group by workspace_id, stage_id');
      }
    },
  };
}

/**
 * Writes the search documents of the rows that have none (the rows loaded while the
 * triggers were off) from `view` (search_source_contacts, search_source_deals, …).
 * Run after the source table's indexes are back: the view reads contact_emails by contact.
 */
export function fillSearchIndex(db: BetterSqlite3.Database, view: string, log: (line: string) => void): void {
  const hasIndex = db.prepare("select 1 from sqlite_master where name = 'search_documents'").get();
  if (!hasIndex) return;
  const started = performance.now();
  const { changes } = db
    .prepare(`insert into search_documents (${DOCUMENT_COLUMNS}) select ${DOCUMENT_COLUMNS} from ${view} s where not exists (select 1 from search_documents d where d.record_id = s.record_id)`)
    .run();
  log(`  … search index: ${changes.toLocaleString('en-US')} documents from ${view} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * GET /v1/search over the seeded contacts (first names × last names, emails
 * first.last.N@example.com), rotating over four kinds of query built from existing
 * contacts: a full name ("grace hopper", ~1 in 900 contacts match), name prefixes ("gra hop"),
 * an email's local part ("grace.hopper.4242": one), and one last name ("hopper": 1 in 30).
 * Each answer counts every match (meta.total). Trellis only (the baselines have no search);
 * one connection, so p50 and p99 are the time of one search.
 */
export function searchScenario(seeded: Seeded): Scenario {
  const people = seeded.sample.map((s) => {
    const [first = '', last = '', n = ''] = (s.email.split('@')[0] ?? '').split('.');
    return { first, last, n };
  });
  const queries = [
    ...people.map((p) => `${p.first} ${p.last}`),
    ...people.map((p) => `${p.first.slice(0, 3)} ${p.last.slice(0, 3)}`),
    ...people.map((p) => `${p.first}.${p.last}.${p.n}`),
    ...people.map((p) => p.last),
  ].map((q) => `/v1/search?q=${encodeURIComponent(q)}&limit=25`);
  return {
    name: 'search',
    label: 'GET /v1/search?q=… (names, prefixes, email, last name)',
    expectStatus: 200,
    trellisOnly: true,
    connections: 1,
    requests: () => [{ method: 'GET', setupRequest: (request) => ({ ...request, path: pick(queries) }) }],
  };
}
