/**
 * `trellis backup FILE` and `trellis restore FILE` for SQLite: SQLite's online
 * backup API (better-sqlite3), so a backup taken while the server runs and
 * writes is a consistent snapshot. PostgreSQL has its own tools (pg_dump),
 * named in the message and in docs/deployment.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { configOrExit } from '../../serve.js';
import { CliError, EXIT } from '../exit-codes.js';
import { progress, type Output } from '../output.js';

/** Copy at most this many pages per step; then, once started, the rest in one step so that busy writers cannot keep restarting it. */
const FIRST_STEP_PAGES = 100;

export function backupCommands(program: Command, out: () => Output): void {
  program
    .command('backup <file>')
    .description('Copy the SQLite database to FILE, consistently, while the server runs')
    .option('--force', 'overwrite FILE if it exists')
    .addHelpText('after', '\nExample:\n  trellis backup /backups/trellis-$(date +%F).db\n\nOn PostgreSQL use pg_dump (docs/deployment.md).')
    .action(async (file: string, options: { force?: boolean }) => {
      const database = sqliteOnly(configOrExit(), 'backup', 'pg_dump --format=custom --file=trellis.dump "$DATABASE_URL"');
      if (!fs.existsSync(database)) throw new CliError(EXIT.refused, `There is no database at ${database}.`);
      const target = path.resolve(file);
      if (target === database) throw new CliError(EXIT.usage, 'The backup must go to another file than the database.');
      if (fs.existsSync(target) && !options.force) throw new CliError(EXIT.usage, `${file} exists; pass --force to overwrite it.`);
      const source = new BetterSqlite3(database, { readonly: true, fileMustExist: true });
      const bar = progress('Backing up', 'pages', undefined, out().json);
      try {
        const result = await source.backup(target, {
          progress: ({ totalPages, remainingPages }) => {
            bar.setTotal(totalPages);
            bar.update(totalPages - remainingPages);
            return totalPages + FIRST_STEP_PAGES;
          },
        });
        bar.stop();
        const bytes = fs.statSync(target).size;
        out().result({ file: target, pages: result.totalPages, bytes }, () => `Backed up ${database} to ${target} (${(bytes / 1024 / 1024).toFixed(1)} MB).`);
      } finally {
        source.close();
      }
    });

  program
    .command('restore <file>')
    .description('Replace the SQLite database with a backup. Stop every server using the database first.')
    .option('--yes', 'do not ask (the current data is replaced)')
    .addHelpText('after', '\nExample:\n  trellis restore /backups/trellis-2026-12-01.db --yes\n\nOn PostgreSQL use pg_restore (docs/deployment.md).')
    .action(async (file: string, options: { yes?: boolean }) => {
      const database = sqliteOnly(configOrExit(), 'restore', 'pg_restore --clean --if-exists --dbname "$DATABASE_URL" trellis.dump');
      if (!fs.existsSync(file)) throw new CliError(EXIT.usage, `No file ${file}.`);
      const backup = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      try {
        checkBackup(backup, file);
        if (fs.existsSync(database) && !options.yes) throw new CliError(EXIT.usage, `This replaces everything in ${database}. Stop the server, then run again with --yes.`);
        fs.mkdirSync(path.dirname(database), { recursive: true });
        const result = await backup.backup(database);
        out().result({ file: database, from: path.resolve(file), pages: result.totalPages }, () => `Restored ${database} from ${file}. Start the server again.`);
      } finally {
        backup.close();
      }
    });
}

function sqliteOnly(config: Config, what: string, instead: string): string {
  if (config.database.kind !== 'sqlite' || config.database.file === ':memory:') {
    throw new CliError(EXIT.usage, `trellis ${what} works on SQLite. On PostgreSQL use: ${instead} (see docs/deployment.md).`);
  }
  return config.database.file;
}

/** A backup must be a sound SQLite file of a Trellis database. */
function checkBackup(backup: BetterSqlite3.Database, file: string): void {
  let result: unknown;
  try {
    result = backup.pragma('quick_check', { simple: true });
  } catch (error) {
    throw new CliError(EXIT.refused, `${file} is not a SQLite database: ${(error as Error).message}`);
  }
  if (result !== 'ok') throw new CliError(EXIT.refused, `${file} is damaged: ${String(result)}`);
  const migrations = backup.prepare("select count(*) as n from sqlite_master where name = 'kysely_migration'").get() as { n: number };
  if (migrations.n === 0) throw new CliError(EXIT.refused, `${file} is not a Trellis database (no migrations table).`);
}
