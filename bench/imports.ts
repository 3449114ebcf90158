/**
 * The import and export scenarios (`npm run bench -- --only import,export
 * --import-rows 1000000`): a CSV of contacts imported end to end through the
 * API (upload, parse, validation, dedup, events, the search index's
 * triggers), against a raw baseline that inserts the same rows (contacts and
 * contact_emails, so the same triggers fire) with better-sqlite3 prepared
 * statements in transactions of the same size; then the whole table exported
 * as CSV. The server's RSS is sampled throughout. See bench/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { startServer, TRELLIS_SERVER, type ServerProcess } from './processes.js';

/** What the scenarios import and export. */
export type ImportResource = 'contacts' | 'companies';

export interface ImportResults {
  database: 'sqlite' | 'postgres';
  resource: ImportResource;
  rows: number;
  importSeconds: number;
  importRowsPerSecond: number;
  rawRowsPerSecond?: number;
  /** The raw insert with the search index's triggers dropped: what keeping search fresh in the write costs. */
  rawWithoutSearchRowsPerSecond?: number;
  exportSeconds: number;
  exportRowsPerSecond: number;
  maxRssMb: number;
}

const BATCH = 1000;

/** A phone number as people write them: "+1 (555) 012-3456", unique per row. */
const phone = (i: number): string => {
  const digits = String(i).padStart(9, '0');
  return `+1 (5${digits.slice(0, 2)}) ${digits.slice(2, 5)}-${digits.slice(5)}`;
};

/**
 * The benchmark's CSV. Contacts: names, a unique email, a phone, a title and a city, like a
 * spreadsheet of leads. Companies: a name, a unique domain, a phone, an industry and a city.
 */
export function writeCsv(file: string, rows: number, resource: ImportResource = 'contacts'): void {
  const fd = fs.openSync(file, 'w');
  const chunk: string[] = [resource === 'contacts' ? 'first_name,last_name,email,phone,title,address.city' : 'name,domain,phone,industry,address.city'];
  for (let i = 0; i < rows; i++) {
    chunk.push(
      resource === 'contacts'
        ? `First${i},Last${i % 997},person${i}@company${i % 5003}.example,${phone(i)},Buyer,City${i % 211}`
        : `Company ${i},company${i}.example,${phone(i)},Industry${i % 37},City${i % 211}`,
    );
    if (chunk.length >= 10_000) {
      fs.writeSync(fd, `${chunk.join('\n')}\n`);
      chunk.length = 0;
    }
  }
  fs.writeSync(fd, chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
  fs.closeSync(fd);
}

/** The largest RSS of the process while `work` runs, in MB. */
async function sampleRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; maxRssMb: number }> {
  let max = 0;
  const read = () => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) max = Math.max(max, Number(match[1]) / 1024);
    } catch {
      // no /proc (not Linux): no figure
    }
  };
  const timer = setInterval(read, 200);
  try {
    const result = await work();
    read();
    return { result, maxRssMb: max };
  } finally {
    clearInterval(timer);
  }
}

async function importThroughApi(server: ServerProcess, headers: Record<string, string>, resource: ImportResource, file: string, log: (line: string) => void): Promise<{ seconds: number; job: Record<string, unknown> }> {
  const started = performance.now();
  const body = await fs.openAsBlob(file);
  const response = await fetch(`${server.url}/v1/imports?resource=${resource}`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body });
  const created = (await response.json()) as { data?: { id: string } };
  if (response.status !== 202 || !created.data) throw new Error(`POST /v1/imports answered ${response.status}: ${JSON.stringify(created)}`);
  let last = 0;
  for (;;) {
    const job = ((await (await fetch(`${server.url}/v1/imports/${created.data.id}`, { headers })).json()) as { data: Record<string, unknown> }).data;
    if (job.status !== 'queued' && job.status !== 'running') return { seconds: (performance.now() - started) / 1000, job };
    if (Date.now() - last > 10_000) {
      last = Date.now();
      log(`    … ${Number(job.rows_read).toLocaleString('en-US')} rows`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function exportThroughApi(server: ServerProcess, headers: Record<string, string>, resource: ImportResource): Promise<{ seconds: number; rows: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/exports/${resource}?format=csv`, { headers });
  if (!response.ok || !response.body) throw new Error(`GET /v1/exports/${resource} answered ${response.status}`);
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return { seconds: (performance.now() - started) / 1000, rows: lines - 1 };
}

/** The same rows inserted with prepared statements into a migrated database: contacts and their email rows (or companies), 1,000 to a transaction. */
function rawSqliteInsert(dbFile: string, csvFile: string, resource: ImportResource): number {
  const db = new BetterSqlite3(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const workspaceId = (db.prepare('select id from workspaces limit 1').get() as { id: string }).id;
  const insertContact = db.prepare(
    `insert into contacts (id, workspace_id, first_name, last_name, email, emails, phone, phones, title, address_city, status, custom_fields, created_at, updated_at, version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', '{}', ?, ?, 1)`,
  );
  const insertEmail = db.prepare('insert into contact_emails (workspace_id, email, contact_id, label, position) values (?, ?, ?, null, 0)');
  const insertCompany = db.prepare(
    `insert into companies (id, workspace_id, name, domain, phone, industry, address_city, custom_fields, created_at, updated_at, version)
     values (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, 1)`,
  );
  const ulid = monotonicFactory();
  const lines = fs.readFileSync(csvFile, 'utf8').split('\n').slice(1).filter(Boolean);
  const started = performance.now();
  const batch = db.transaction((rows: string[], at: number) => {
    for (const line of rows) {
      if (resource === 'companies') {
        const [name, domain, phone, industry, city] = line.split(',') as [string, string, string, string, string];
        insertCompany.run(`cmp_${ulid()}`, workspaceId, name, domain, phone, industry, city, at, at);
        continue;
      }
      const [first, last, email, phone, title, city] = line.split(',') as [string, string, string, string, string, string];
      const id = `con_${ulid()}`;
      insertContact.run(id, workspaceId, first, last, email, JSON.stringify([{ email, label: null }]), phone, JSON.stringify([{ phone, label: null }]), title, city, at, at);
      insertEmail.run(workspaceId, email, id);
    }
  });
  for (let i = 0; i < lines.length; i += BATCH) batch(lines.slice(i, i + BATCH), Date.now());
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return lines.length / seconds;
}

/** A copy of a migrated database whose search index is not kept: its triggers (`search_*`) dropped. */
function copyWithoutSearchTriggers(from: string, to: string): void {
  const source = new BetterSqlite3(from, { readonly: true });
  source.prepare('vacuum into ?').run(to);
  source.close();
  const copy = new BetterSqlite3(to);
  const triggers = copy.prepare("select name from sqlite_master where type = 'trigger' and name like 'search\\_%' escape '\\'").pluck().all() as string[];
  for (const name of triggers) copy.exec(`drop trigger "${name}"`);
  copy.close();
}

export async function benchImports(
  dir: string,
  apiKey: string,
  options: { rows: number; resource: ImportResource; postgres: string | undefined; logLevel: string; cpuProf?: string | undefined },
  log: (line: string) => void,
): Promise<ImportResults[]> {
  const { resource } = options;
  const csv = path.join(dir, 'import.csv');
  log(`\nImport and export: writing a CSV of ${options.rows.toLocaleString('en-US')} ${resource}…`);
  writeCsv(csv, options.rows, resource);
  log(`  ${(fs.statSync(csv).size / 1e6).toFixed(0)} MB`);
  const headers = { authorization: `Bearer ${apiKey}` };
  const results: ImportResults[] = [];
  const targets: { database: 'sqlite' | 'postgres'; env: Record<string, string> }[] = [{ database: 'sqlite', env: { DATABASE_URL: path.join(dir, 'import.db') } }];
  const schema = `bench_import_${Date.now()}`;
  if (options.postgres) targets.push({ database: 'postgres', env: { DATABASE_URL: options.postgres, DATABASE_SCHEMA: schema } });

  for (const target of targets) {
    const server = await startServer({
      name: `Trellis (${target.database})`,
      script: TRELLIS_SERVER,
      env: { ...target.env, TRELLIS_BOOTSTRAP_KEY: apiKey, RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: options.logLevel, IMPORT_DIR: path.join(dir, `imports-${target.database}`) },
      logFile: path.join(dir, `trellis-import-${target.database}.log`),
      readyPath: '/readyz',
      nodeArgs: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProf)}`, `--cpu-prof-name=trellis-import-${target.database}.cpuprofile`] : [],
    });
    try {
      log(`  ${target.database}: importing through POST /v1/imports…`);
      const imported = await sampleRss(server.child.pid as number, () => importThroughApi(server, headers, resource, csv, log));
      const { job } = imported.result;
      if (job.status !== 'completed' || job.created !== options.rows) throw new Error(`the import ended ${String(job.status)} with ${String(job.created)} created, ${String(job.failed)} failed: ${JSON.stringify(job)}`);
      log(`  ${target.database}: exporting through GET /v1/exports/${resource}…`);
      const exported = await sampleRss(server.child.pid as number, () => exportThroughApi(server, headers, resource));
      if (exported.result.rows !== options.rows) throw new Error(`the export has ${exported.result.rows} rows, expected ${options.rows}`);
      log(`  ${target.database}: max RSS ${imported.maxRssMb.toFixed(0)} MB importing, ${exported.maxRssMb.toFixed(0)} MB exporting`);
      results.push({
        database: target.database,
        resource,
        rows: options.rows,
        importSeconds: imported.result.seconds,
        importRowsPerSecond: options.rows / imported.result.seconds,
        exportSeconds: exported.result.seconds,
        exportRowsPerSecond: options.rows / exported.result.seconds,
        maxRssMb: Math.max(imported.maxRssMb, exported.maxRssMb),
      });
    } finally {
      await server.stop();
    }
  }

  // The raw baseline on a fresh, migrated and bootstrapped copy: the same rows, no HTTP, no rules.
  log('  sqlite: the raw prepared-statement insert of the same rows…');
  const rawFile = path.join(dir, 'raw.db');
  const fresh = await startServer({ name: 'Trellis (raw baseline set-up)', script: TRELLIS_SERVER, env: { DATABASE_URL: rawFile, TRELLIS_BOOTSTRAP_KEY: apiKey, LOG_LEVEL: 'warn' }, logFile: path.join(dir, 'trellis-raw.log'), readyPath: '/readyz' });
  await fresh.stop();
  const withoutSearchFile = path.join(dir, 'raw-without-search.db');
  copyWithoutSearchTriggers(rawFile, withoutSearchFile);
  const sqliteResult = results.find((r) => r.database === 'sqlite');
  if (sqliteResult) {
    sqliteResult.rawRowsPerSecond = rawSqliteInsert(rawFile, csv, resource);
    log('  sqlite: the same raw insert without the search index…');
    sqliteResult.rawWithoutSearchRowsPerSecond = rawSqliteInsert(withoutSearchFile, csv, resource);
  }

  if (options.postgres) {
    const client = new pg.Client({ connectionString: options.postgres });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
  return results;
}

export function importTable(results: ImportResults[]): string {
  const lines = [
    '| database | resource | rows | import rows/s | raw insert rows/s | import / raw | raw insert without the search index rows/s | export rows/s | max RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rate = (value: number | undefined): string => (value ? Math.round(value).toLocaleString('en-US') : '–');
  for (const r of results) {
    lines.push(
      `| ${r.database} | ${r.resource} | ${r.rows.toLocaleString('en-US')} | ${rate(r.importRowsPerSecond)} | ${rate(r.rawRowsPerSecond)} | ${r.rawRowsPerSecond ? `${((100 * r.importRowsPerSecond) / r.rawRowsPerSecond).toFixed(0)} %` : '–'} | ${rate(r.rawWithoutSearchRowsPerSecond)} | ${rate(r.exportRowsPerSecond)} | ${r.maxRssMb.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
