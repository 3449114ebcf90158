/**
 * Records as CSV rows with one column per field of the response schema:
 * nested objects spread as `address.city`, lists and free-form objects as JSON,
 * formulas neutralised as in report CSVs. The columns are fixed by the schema,
 * so every page of a streamed export has the same header.
 */
import type { TObject } from '@sinclair/typebox';
import { safeCell } from '../reports/reports.csv.js';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; $ref?: string };
export type CsvColumnPath = [string] | [string, string];

export function csvColumns(out: TObject): CsvColumnPath[] {
  return Object.entries(out.properties as Record<string, Schema>).flatMap(([name, property]): CsvColumnPath[] =>
    property.properties ? Object.keys(property.properties).map((key): CsvColumnPath => [name, key]) : [[name]],
  );
}

export function csvHeader(columns: CsvColumnPath[]): string {
  return `${columns.map((path) => quoted(path.join('.'))).join(',')}\n`;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 wants it: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
function quoted(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return quoted(safeCell(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return quoted(safeCell(value.join(';')));
  return quoted(JSON.stringify(value));
}

/**
 * The rows as CSV lines. Written by hand rather than with csv-stringify (used
 * for reports and error reports): an export writes millions of cells, and
 * this loop writes the same bytes about three times faster (measured on
 * 5,000 contacts). Booleans are written as true/false, which imports read back.
 */
export function csvLines(columns: CsvColumnPath[], rows: Record<string, unknown>[]): string {
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      const [field, key] = columns[i] as CsvColumnPath;
      const value = key === undefined ? row[field] : (row[field] as Record<string, unknown> | null | undefined)?.[key];
      line += i === 0 ? cell(value) : `,${cell(value)}`;
    }
    out += `${line}\n`;
  }
  return out;
}
