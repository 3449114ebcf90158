/**
 * `trellis import <resource> <file>`: uploads the file as an import job
 * (POST /v1/imports through the SDK), then follows its progress. Ctrl-C
 * cancels the job; the rows already written stay, and running the same
 * command again imports the rest (rows already imported are found as
 * duplicates).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportJob } from '@trellis/sdk';
import { client, type RemoteOptions } from '../client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { interruptible, progress, type Output } from '../output.js';

const RESOURCES = ['contacts', 'companies', 'leads', 'deals', 'activities'];

interface ImportOptions extends RemoteOptions {
  map?: string;
  dryRun?: boolean;
  onDuplicate: string;
  format?: string;
  errors?: string;
}

export function importCommand(remote: (c: Command) => Command, program: Command, out: () => Output): void {
  remote(program.command('import <resource> <file>'))
    .description(`Import a CSV or JSON Lines file of ${RESOURCES.join(', ')}`)
    .option('--map <file>', 'a JSON file mapping columns to fields: {"E-mail": "email", "Notes": null}')
    .option('--dry-run', 'check every row by the same rules and keep nothing')
    .option('--on-duplicate <mode>', 'skip, update or fail a row whose email/domain/external id exists', 'skip')
    .option('--format <format>', 'csv or jsonl (default: from the file name)')
    .option('--errors <file>', 'where to write the rejected rows (default: <file>.errors.csv when some are)')
    .addHelpText(
      'after',
      '\nExamples:\n  trellis import contacts people.csv\n  trellis import contacts people.csv --map columns.json --on-duplicate update\n  trellis import companies accounts.jsonl --dry-run --json\n\nA refused row does not stop the import: it goes to the error report, with the reason. Fix the\nreport and import it again; running the same file again writes nothing twice.',
    )
    .action(async (resource: string, file: string, options: ImportOptions) => {
      if (!RESOURCES.includes(resource)) throw new CliError(EXIT.usage, `<resource> must be one of ${RESOURCES.join(', ')}.`);
      if (!['skip', 'update', 'fail'].includes(options.onDuplicate)) throw new CliError(EXIT.usage, '--on-duplicate must be skip, update or fail.');
      if (!fs.existsSync(file)) throw new CliError(EXIT.usage, `No file ${file}.`);
      const format = (options.format ?? (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv')) as 'csv' | 'jsonl';
      const map = options.map === undefined ? undefined : readMap(options.map);
      const api = client(options);
      const quiet = out().json;
      const expected = countRows(file, format);

      const outcome = await interruptible(async (signal) => {
        const upload = progress('Uploading', 'MB', Math.ceil(fs.statSync(file).size / 1e6), quiet);
        let job: ImportJob;
        try {
          const blob = await fs.openAsBlob(file);
          job = await api.imports.create(blob, { resource: resource as 'contacts', format, on_duplicate: options.onDuplicate as 'skip', ...(options.dryRun && { dry_run: 'true' }), ...(map && { map }), file_name: path.basename(file) }, { signal, timeout: 3_600_000 });
        } catch (error) {
          upload.stop();
          if (signal.aborted) throw new CliError(EXIT.interrupted, 'Stopped during the upload: nothing was imported.');
          throw error;
        }
        upload.stop();
        const bar = progress(options.dryRun ? 'Checking' : 'Importing', 'rows', expected, quiet);
        const ended = await api.imports.wait(job.id, { signal, intervalMs: 500, onProgress: (state) => bar.update(state.rows_read, `created ${state.created}, failed ${state.failed}`) });
        bar.stop();
        if (signal.aborted && (ended.status === 'queued' || ended.status === 'running')) return { job: await api.imports.cancel(ended.id), stopped: true };
        return { job: ended, stopped: false };
      });

      const { job, stopped } = outcome;
      let report: string | undefined;
      if (job.failed > 0) {
        report = options.errors ?? `${file}.errors.${format}`;
        fs.writeFileSync(report, await api.imports.errors(job.id));
      }
      const summary = `${job.dry_run ? 'Dry run: would have ' : ''}${stopped ? 'stopped after' : 'read'} ${job.rows_read.toLocaleString('en-US')} rows: ${job.created} created, ${job.updated} updated, ${job.unchanged} unchanged, ${job.skipped} skipped, ${job.failed} refused.`;
      out().result({ ...job, error_report_file: report ?? null }, () =>
        [summary, report ? `The refused rows and why: ${report} (fix them and import that file).` : '', stopped ? 'What was imported stays; run the same command again to import the rest.' : '', job.error ? `The import failed: ${job.error}` : '']
          .filter(Boolean)
          .join('\n'),
      );
      if (stopped) process.exitCode = EXIT.interrupted;
      else if (job.status === 'failed') process.exitCode = EXIT.refused;
      else if (job.failed > 0) process.exitCode = EXIT.rowsRejected;
    });
}

function readMap(file: string): string {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return JSON.stringify(value);
  } catch (error) {
    throw new CliError(EXIT.usage, `--map ${file}: a JSON object of column → field is needed (${(error as Error).message}).`);
  }
}

/** Rows in the file (lines less the header), for the bar's total; quoted line breaks make it an estimate. */
function countRows(file: string, format: 'csv' | 'jsonl'): number {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let lines = 0;
  let last = 10;
  try {
    for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
      for (let i = buffer.indexOf(10); i !== -1 && i < read; i = buffer.indexOf(10, i + 1)) lines++;
      last = buffer[read - 1] ?? 10;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (last !== 10) lines++;
  return Math.max(0, lines - (format === 'csv' ? 1 : 0));
}
