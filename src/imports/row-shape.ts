/**
 * A CSV row (column → text) as the create body the record type's schema
 * describes: headers are matched by name ("First name" → first_name), a
 * mapping can rename or ignore columns, dotted headers fill objects
 * (`address.city`, `custom_fields.plan`), and each text is read as the type
 * the schema wants (numbers, booleans, `;`-separated id lists, JSON for lists
 * of objects). An empty cell is no value; a formula quoted by an export or an
 * error report (`'=…`, `'+…`) is read without its quote. The schema's own validation then
 * judges the result, so a CSV row is refused for exactly what a POST would be.
 */
import type { TObject } from '@sinclair/typebox';
import { unquoteCell } from '../reports/reports.csv.js';

/** Columns of an error report (and of anything Trellis writes next to the data) that imports ignore. */
export const REPORT_COLUMNS = ['_row', '_error'] as const;

/** Column name → field path; null ignores the column. */
export type ColumnMapping = Record<string, string | null>;

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'unknown';
type Schema = { type?: string | string[]; anyOf?: Schema[]; items?: Schema; properties?: Record<string, Schema> };

/** "First name", "first-name", "FIRST_NAME" → first_name; dots are kept (address.city). */
export function normalizeHeader(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function kindOf(schema: Schema | undefined): Kind {
  if (schema === undefined) return 'unknown';
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const kind = types.find((t) => t !== 'null') ?? schema.anyOf?.map(kindOf).find((k) => k !== 'unknown');
  return (kind as Kind | undefined) ?? 'unknown';
}

function objectProperties(schema: Schema | undefined): Record<string, Schema> | undefined {
  return schema?.properties ?? schema?.anyOf?.find((s) => s.properties)?.properties;
}

export interface ColumnPlan {
  /** Where each column goes (null: ignored), by position. */
  targets: (string[] | null)[];
  /** Columns that name no field: the import cannot start. */
  unknown: string[];
}

/** Checks the header row against the schema once, before any row is read. */
export function planColumns(schema: TObject, headers: string[], mapping: ColumnMapping): ColumnPlan {
  const unknown: string[] = [];
  const properties = schema.properties as Record<string, Schema>;
  const targets = headers.map((header) => {
    const mapped = Object.hasOwn(mapping, header) ? mapping[header] : undefined;
    if (mapped === null || (REPORT_COLUMNS as readonly string[]).includes(header)) return null;
    const path = (mapped ?? normalizeHeader(header)).split('.');
    const [field, sub] = path;
    const property = field === undefined ? undefined : properties[field];
    const known = property !== undefined && (path.length === 1 || (path.length === 2 && sub !== '' && (field === 'custom_fields' || objectProperties(property)?.[sub as string] !== undefined)));
    if (!known) unknown.push(header);
    return path;
  });
  return { targets, unknown };
}

/** The fields a CSV header may name, for the message when one names none. */
export function columnNames(schema: TObject): string[] {
  return Object.entries(schema.properties as Record<string, Schema>).flatMap(([name, property]) => {
    const nested = objectProperties(property);
    if (name === 'custom_fields') return ['custom_fields.<key>'];
    return nested ? Object.keys(nested).map((key) => `${name}.${key}`) : [name];
  });
}

/** One CSV record (texts by position) as a create body; values the schema refuses are left for it to refuse. */
export function shapeCsvRow(schema: TObject, plan: ColumnPlan, cells: string[]): Record<string, unknown> {
  const properties = schema.properties as Record<string, Schema>;
  const body: Record<string, unknown> = {};
  plan.targets.forEach((path, i) => {
    const cell = cells[i] === undefined ? undefined : unquoteCell(cells[i] as string);
    if (path === null || cell === undefined || cell.trim() === '') return;
    const [field, sub] = path as [string, string | undefined];
    if (sub === undefined) {
      body[field] = typed(properties[field], cell);
      return;
    }
    const nested = (body[field] ??= {}) as Record<string, unknown>;
    nested[sub] = field === 'custom_fields' ? cell : typed(objectProperties(properties[field])?.[sub], cell);
  });
  return body;
}

/** The cell as the kind the schema wants; text that is not that kind stays text, so validation names the field. */
function typed(schema: Schema | undefined, cell: string): unknown {
  const value = cell.trim();
  switch (kindOf(schema)) {
    case 'number':
    case 'integer': {
      const number = Number(value);
      return value !== '' && Number.isFinite(number) ? number : cell;
    }
    case 'boolean':
      return /^(true|yes|1)$/i.test(value) ? true : /^(false|no|0)$/i.test(value) ? false : cell;
    case 'array':
      if (value.startsWith('[')) return parseJson(value) ?? cell;
      return kindOf(schema?.items) === 'object' ? cell : value.split(';').map((v) => v.trim()).filter((v) => v !== '');
    case 'object':
      return value.startsWith('{') ? (parseJson(value) ?? cell) : cell;
    default:
      return cell;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON Lines record: its keys renamed by the mapping, the report's own columns dropped. */
export function shapeJsonRow(value: Record<string, unknown>, mapping: ColumnMapping): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const mapped = Object.hasOwn(mapping, key) ? mapping[key] : key;
    if (mapped === null || mapped === undefined || (REPORT_COLUMNS as readonly string[]).includes(key)) continue;
    body[mapped] = field;
  }
  return body;
}
