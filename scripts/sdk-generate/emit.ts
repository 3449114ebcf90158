/**
 * What the SDK generator writes besides openapi-typescript's types: the table
 * of operations (operationId → method and path, and whether it is a paged
 * list) for both SDKs, and Python TypedDicts for records, bodies and queries.
 */

export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, any> };
}

export interface OperationEntry {
  id: string;
  method: string;
  path: string;
  /** A cursor-paged list: `data` is an array and `meta` has `next_cursor`. */
  list: boolean;
  body: any | undefined;
  query: Array<{ name: string; schema: any; required: boolean }>;
  /** The schema of the success answer's `data`. */
  data: any | undefined;
}

const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

/** The REST operations under /v1 (the JSON-RPC door is not the SDKs' business). */
export function operationTable(document: OpenApiDocument): OperationEntry[] {
  const entries: OperationEntry[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation?.operationId || String(operation.operationId).startsWith('jsonrpc.')) continue;
      const success = Object.entries(operation.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1] as any;
      const envelope = success?.content?.['application/json']?.schema;
      const data = envelope?.properties?.data;
      entries.push({
        id: operation.operationId,
        method: method.toUpperCase(),
        path,
        list: data?.type === 'array' && envelope?.properties?.meta?.properties?.next_cursor !== undefined,
        body: operation.requestBody?.content?.['application/json']?.schema,
        query: (operation.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => ({ name: p.name, schema: p.schema ?? {}, required: p.required === true })),
        data,
      });
    }
  }
  return entries.sort((a, b) => a.id.localeCompare(b.id));
}

export function typescriptOperations(table: OperationEntry[]): string {
  const rows = table.map((op) => `  ${JSON.stringify(op.id)}: { method: ${JSON.stringify(op.method)}, path: ${JSON.stringify(op.path)}, list: ${op.list} },`);
  return `/** Every REST operation: how to call it, and whether it is a cursor-paged list. */\nexport const OPERATIONS = {\n${rows.join('\n')}\n} as const;\n`;
}

/** A type alias per component schema (`Contact`, `Deal`, …), so users import records by name. */
export function typescriptSchemas(document: OpenApiDocument): string {
  // `Error` (the error envelope) would shadow the global Error for importers; the SDK's error classes stand for it.
  const names = Object.keys(document.components?.schemas ?? {}).filter((name) => /^[A-Za-z_]\w*$/.test(name) && name !== 'Error');
  return `import type { components } from './openapi.js';\n\n${names.map((name) => `export type ${name} = components['schemas'][${JSON.stringify(name)}];`).join('\n')}\n`;
}

const PY_SCALARS: Record<string, string> = { string: 'str', integer: 'int', number: 'float', boolean: 'bool', null: 'None' };

/** A Python type expression for a JSON Schema; nested objects are plain dicts. */
function pyType(schema: any): string {
  if (!schema || typeof schema !== 'object') return 'Any';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop();
  if ('const' in schema) return `Literal[${JSON.stringify(schema.const)}]`;
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v: unknown) => v !== null).map((v: unknown) => JSON.stringify(v));
    const literal = values.length ? `Literal[${values.join(', ')}]` : 'None';
    return schema.enum.includes(null) && values.length ? `${literal} | None` : literal;
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) return unionOf(variants.map(pyType));
  if (Array.isArray(schema.type)) return unionOf(schema.type.map((type: string) => pyType({ ...schema, type })));
  if (schema.type === 'array') return `list[${pyType(schema.items)}]`;
  if (schema.type === 'object') return 'dict[str, Any]';
  return PY_SCALARS[schema.type] ?? 'Any';
}

function unionOf(types: string[]): string {
  const unique = [...new Set(types.flatMap((t) => t.split(' | ')))];
  return unique.length > 1 && unique.includes('Any') ? 'Any' : unique.join(' | ');
}

/** `Name = TypedDict('Name', {...})`: the functional form takes any key (`created_at[gte]`). */
function typedDict(name: string, properties: Record<string, any>, required: string[], doc?: string): string {
  const fields = Object.entries(properties).map(([key, schema]) => {
    const type = pyType(schema);
    return `    ${JSON.stringify(key)}: ${JSON.stringify(required.includes(key) ? type : `NotRequired[${type}]`)},`;
  });
  const comment = doc ? `# ${doc}\n` : '';
  return `${comment}${name} = TypedDict(${JSON.stringify(name)}, {\n${fields.join('\n')}\n})\n`;
}

const pascal = (id: string): string =>
  id
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

export function pythonModule(document: OpenApiDocument, table: OperationEntry[]): string {
  const out: string[] = [
    '# Generated by `npm run sdk:generate` from GET /v1/openapi.json. Do not edit.',
    '"""The REST operations and the shapes of their records, bodies and queries."""',
    'from __future__ import annotations',
    '',
    'from typing import Any, Literal, NotRequired, TypedDict',
    '',
    '# operationId -> (method, path template, cursor-paged list)',
    'OPERATIONS: dict[str, tuple[str, str, bool]] = {',
    ...table.map((op) => `    ${JSON.stringify(op.id)}: (${JSON.stringify(op.method)}, ${JSON.stringify(op.path)}, ${op.list ? 'True' : 'False'}),`),
    '}',
    '',
  ];
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (schema?.type === 'object' && schema.properties) out.push(typedDict(name, schema.properties, schema.required ?? [], schema.description));
  }
  for (const op of table) {
    if (op.body?.type === 'object' && op.body.properties) out.push(typedDict(`${pascal(op.id)}Body`, op.body.properties, op.body.required ?? [], `The body of ${op.id}.`));
    if (op.query.length) {
      const properties = Object.fromEntries(op.query.map((p) => [p.name, p.schema]));
      out.push(typedDict(`${pascal(op.id)}Params`, properties, op.query.filter((p) => p.required).map((p) => p.name), `The query of ${op.id}.`));
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
