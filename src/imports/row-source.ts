/**
 * Reads an uploaded file row by row, streaming (csv-parse for CSV, lines for
 * JSON Lines), so a file of any size is read in constant memory. Rows are
 * numbered from 1 after the CSV header; a resumed import skips those before
 * its checkpoint.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { parse } from 'csv-parse';

export type ImportFormat = 'csv' | 'jsonl';

export type SourceRow = { number: number; cells: string[] } | { number: number; json: unknown; text: string };

/** The CSV header row, or an empty list for an empty file. */
export async function readCsvHeader(file: string): Promise<string[]> {
  const parser = fs.createReadStream(file).pipe(parse({ bom: true, to_line: 1, relax_column_count: true }));
  for await (const record of parser as AsyncIterable<string[]>) return record;
  return [];
}

/** The rows after `skip`, in order. CSV rows come as cells by position; JSON Lines as parsed values (or the text of a line that is not JSON). */
export async function* readRows(file: string, format: ImportFormat, skip: number): AsyncGenerator<SourceRow> {
  if (format === 'csv') {
    const parser = fs.createReadStream(file).pipe(parse({ bom: true, from_line: 2, relax_column_count: true, skip_empty_lines: true }));
    let number = 0;
    for await (const cells of parser as AsyncIterable<string[]>) {
      number++;
      if (number > skip) yield { number, cells };
    }
    return;
  }
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    number++;
    if (number <= skip) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      json = undefined;
    }
    yield { number, json, text: line };
  }
}
