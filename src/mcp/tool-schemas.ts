/**
 * A tool's input schema from its operation in the OpenAPI document: path
 * parameters, query parameters and the JSON body's fields side by side in one
 * object (plus `idempotency_key` on writes), and how to split an input back
 * into the request.
 */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
interface OpenApiOperation {
  operationId?: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: JsonSchema; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
type JsonSchema = Record<string, unknown>;

export interface ToolRoute {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[] | 'none';
  inputSchema: { type: 'object'; properties: Record<string, JsonSchema>; required?: string[]; additionalProperties?: boolean };
}

const IDEMPOTENCY_KEY = {
  type: 'string',
  maxLength: 255,
  description: 'Any unique string for this intended change (e.g. a UUID). Calling again with the same key and input does not write twice; it answers the first result.',
};

export function toolRoute(document: OpenApiDocument, operationId: string, write: boolean): ToolRoute {
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.operationId !== operationId) continue;
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      const pathParams: string[] = [];
      const queryParams: string[] = [];
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'header') continue;
        properties[parameter.name] = { ...(parameter.schema ?? { type: 'string' }), ...(parameter.description && { description: parameter.description }) };
        if (parameter.in === 'path') {
          pathParams.push(parameter.name);
          required.push(parameter.name);
        } else {
          queryParams.push(parameter.name);
          if (parameter.required) required.push(parameter.name);
        }
      }
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const resolved = body === undefined ? undefined : inline(document, body);
      const bodyProperties = (resolved?.properties ?? undefined) as Record<string, JsonSchema> | undefined;
      if (bodyProperties) {
        Object.assign(properties, bodyProperties);
        required.push(...((resolved?.required as string[] | undefined) ?? []));
      }
      if (write) properties.idempotency_key = IDEMPOTENCY_KEY;
      return {
        method: method.toUpperCase(),
        path,
        pathParams,
        queryParams,
        bodyFields: bodyProperties ? Object.keys(bodyProperties) : 'none',
        inputSchema: { type: 'object', properties, ...(required.length > 0 && { required: [...new Set(required)] }), additionalProperties: queryParams.length > 0 && method === 'get' },
      };
    }
  }
  throw new Error(`The OpenAPI document has no operation ${operationId}`);
}

/** The schema with `#/components/schemas/…` references replaced by what they name. */
function inline(document: OpenApiDocument, schema: JsonSchema, depth = 0): JsonSchema {
  if (depth > 8) return schema;
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const target = document.components?.schemas?.[ref.slice('#/components/schemas/'.length)];
    return target ? inline(document, target, depth + 1) : schema;
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (Array.isArray(value)) out[key] = value.map((v) => (v !== null && typeof v === 'object' ? inline(document, v as JsonSchema, depth + 1) : v));
    else if (value !== null && typeof value === 'object') out[key] = inline(document, value as JsonSchema, depth + 1);
    else out[key] = value;
  }
  return out;
}

/** An input split into the request's path, query and body (path `{id}` filled). */
export function splitInput(route: ToolRoute, input: Record<string, unknown>): { path: Record<string, string>; query: Record<string, string>; body: Record<string, unknown> | undefined; idempotencyKey: string | undefined } {
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'idempotency_key' || value === undefined) continue;
    if (route.pathParams.includes(key)) path[key] = String(value);
    // Anything not a parameter goes in the body, where the API names an unknown field.
    else if (route.bodyFields !== 'none' && !route.queryParams.includes(key)) body[key] = value;
    else query[key] = typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value);
  }
  const idempotencyKey = typeof input.idempotency_key === 'string' ? input.idempotency_key : undefined;
  return { path, query, body: route.bodyFields === 'none' ? undefined : body, idempotencyKey };
}
