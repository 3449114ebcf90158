/**
 * A report as CSV (RFC 4180, with a header row): the rows, then the totals
 * (`row_type` tells them apart). Money objects become one column per currency
 * (`total_value.USD`, `total_value.EUR`), the same currencies on every row;
 * activity counts one column per type. Text a spreadsheet would run as a
 * formula (starting with = + - @) is prefixed with a quote.
 */
import { stringify } from 'csv-stringify/sync';

type Cell = string | number | null | undefined;
type Row = Record<string, unknown>;

/** The columns in order: a field as it is, a money field (one column per currency), or an object spread over fixed keys. */
export type CsvColumn = string | { money: string } | { spread: string; keys: readonly string[] };

const FORMULA = /^[=+\-@\t\r]/;

/** Text a spreadsheet would run as a formula, prefixed with a quote (imports take the quote off again). */
export function safeCell(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

/** A quoted formula as `safeCell` wrote it, back to its text. */
export function unquoteCell(value: string): string {
  return value.startsWith("'") && FORMULA.test(value.slice(1)) ? value.slice(1) : value;
}

function cell(value: unknown): Cell {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return safeCell(value);
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((v: { reason?: string | null; count?: number }) => `${v.reason ?? '(none)'}: ${v.count ?? 0}`).join('; ').replace(FORMULA, "'$&");
  return String(value);
}

export function reportCsv(columns: CsvColumn[], rows: Row[], totals: Row[] = []): string {
  const moneyFields = columns.flatMap((c) => (typeof c === 'object' && 'money' in c ? [c.money] : []));
  const currencies = new Set<string>();
  for (const row of [...rows, ...totals]) {
    for (const field of moneyFields) for (const currency of Object.keys((row[field] as Record<string, number> | undefined) ?? {})) currencies.add(currency);
  }
  const sortedCurrencies = [...currencies].sort();
  const withType = totals.length > 0;
  const header: string[] = withType ? ['row_type'] : [];
  const cells: ((row: Row) => Cell)[] = [];
  for (const column of columns) {
    if (typeof column === 'string') {
      header.push(column);
      cells.push((row) => cell(row[column]));
    } else if ('money' in column) {
      for (const currency of sortedCurrencies) {
        header.push(`${column.money}.${currency}`);
        cells.push((row) => (row[column.money] as Record<string, number> | undefined)?.[currency] ?? 0);
      }
    } else {
      for (const key of column.keys) {
        header.push(`${column.spread}.${key}`);
        cells.push((row) => cell((row[column.spread] as Record<string, number> | null | undefined)?.[key]));
      }
    }
  }
  const records = [
    ...rows.map((row) => [...(withType ? ['group'] : []), ...cells.map((f) => f(row))]),
    ...totals.map((row) => [...(withType ? ['total'] : []), ...cells.map((f) => f(row))]),
  ];
  return stringify(records, { header: true, columns: header, record_delimiter: 'windows' });
}
