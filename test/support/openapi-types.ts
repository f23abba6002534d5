/**
 * Turns the gateway's OpenAPI document (/api/docs-json) into the TypeScript the console's API client is
 * typed with (src/console/api/openapi.generated.ts): one interface of every schema, and one entry per
 * operation keyed `'<METHOD> <path>'` with its path, query and header parameters, its JSON body and its answer.
 * A route or a field the console uses that the gateway no longer has then fails the console's type
 * check (`npm run check`). The freshness test (test/integration/console-api-types.spec.ts) fails when the
 * committed file differs from what the document gives; `npm run console:api-types` rewrites it.
 *
 * Only what the gateway's document uses is handled (Nest's swagger output: objects, arrays, enums,
 * $ref, allOf of one $ref, oneOf/anyOf as a union, nullable, additionalProperties); anything else is an
 * error naming the schema, so the generator never guesses.
 */

export interface OpenApiSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  $ref?: string;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  nullable?: boolean;
  additionalProperties?: boolean | OpenApiSchema;
  description?: string;
  [other: string]: unknown;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: OpenApiSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: OpenApiSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> }>;
  summary?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function refName(ref: string, where: string): string {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  if (!m) {
    throw new Error(`${where}: unsupported $ref ${ref}`);
  }
  return `Schemas[${JSON.stringify(m[1])}]`;
}

function typeOf(schema: OpenApiSchema, where: string, depth = 1): string {
  const base = baseTypeOf(schema, where, depth);
  return schema.nullable ? `${base} | null` : base;
}

function baseTypeOf(schema: OpenApiSchema, where: string, depth: number): string {
  if (schema.$ref) {
    return refName(schema.$ref, where);
  }
  const choices = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(choices)) {
    return choices.map((c, i) => typeOf(c, `${where}|${i}`, depth)).join(' | ');
  }
  if (schema.allOf) {
    if (schema.allOf.length !== 1 || !schema.allOf[0].$ref) {
      throw new Error(`${where}: allOf is supported only with one $ref`);
    }
    return refName(schema.allOf[0].$ref, where);
  }
  if (schema.enum) {
    return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      if (!schema.items) {
        throw new Error(`${where}: an array without items`);
      }
      if (Object.keys(schema.items).length === 0) {
        return 'Array<unknown>';
      }
      return `Array<${typeOf(schema.items, `${where}[]`, depth)}>`;
    case 'object':
    case undefined:
      return objectType(schema, where, depth);
    default:
      throw new Error(`${where}: unsupported type ${String(schema.type)}`);
  }
}

function objectType(schema: OpenApiSchema, where: string, depth: number): string {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const fields = Object.keys(props).map(
    (name) => `${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(props[name], `${where}.${name}`, depth + 1)};`,
  );
  const extra = schema.additionalProperties;
  if (extra === true) {
    fields.push('[key: string]: unknown;');
  } else if (extra && typeof extra === 'object') {
    fields.push(`[key: string]: ${typeOf(extra, `${where}{}`, depth + 1)};`);
  }
  if (fields.length === 0) {
    return schema.type === 'object' || extra !== undefined ? 'Record<string, unknown>' : 'unknown';
  }
  return block(fields, depth);
}

/** `{ … }` with one member per line, indented two spaces per level. */
function block(members: string[], depth: number): string {
  const inner = '  '.repeat(depth + 1);
  return `{\n${members.map((m) => `${inner}${m}`).join('\n')}\n${'  '.repeat(depth)}}`;
}

/** The answer of a successful call: JSON → its type, a PDF → Blob, text → string, no content → void. */
function responseType(op: OpenApiOperation, where: string): string {
  const ok = Object.keys(op.responses)
    .filter((s) => /^2\d\d$/.test(s))
    .sort();
  const types = new Set<string>();
  for (const status of ok) {
    const content = op.responses[status].content;
    if (!content) {
      types.add('void');
      continue;
    }
    for (const [mime, media] of Object.entries(content)) {
      if (mime === 'application/json') {
        types.add(media.schema ? typeOf(media.schema, `${where} ${status}`, 2) : 'unknown');
      } else if (mime.startsWith('text/')) {
        types.add('string');
      } else {
        types.add('Blob');
      }
    }
  }
  return types.size === 0 ? 'void' : [...types].join(' | ');
}

function paramsType(params: OpenApiParameter[], where: string): string {
  const fields = params.map(
    (p) =>
      `${key(p.name)}${p.required ? '' : '?'}: ${p.schema ? typeOf(p.schema, `${where} ${p.name}`, 3) : 'string'};`,
  );
  return block(fields, 2);
}

/** The generated module's source, before formatting. Deterministic: schemas and routes sorted. */
export function openApiToTypeScript(doc: OpenApiDocument): string {
  const out: string[] = [
    '/**',
    " * GENERATED from the gateway's OpenAPI document (/api/docs-json) by test/support/openapi-types.ts.",
    ' * Do not edit: run `npm run console:api-types` after changing a route or a DTO.',
    ' * test/integration/console-api-types.spec.ts fails while this file is out of date.',
    ' */',
    '',
    '/** Every schema of the document, by its name (the DTO class name). */',
    'export interface Schemas {',
  ];
  const schemas = doc.components?.schemas ?? {};
  for (const name of Object.keys(schemas).sort()) {
    out.push(`  ${key(name)}: ${typeOf(schemas[name], name, 1)};`);
  }
  out.push('}', '');
  out.push(
    "/** Every operation, keyed '<METHOD> <path>', with its parameters, JSON body and successful answer. */",
    'export interface Operations {',
  );
  const entries: string[] = [];
  for (const path of Object.keys(doc.paths).sort()) {
    for (const method of METHODS) {
      const op = doc.paths[path][method];
      if (!op) {
        continue;
      }
      const route = `${method.toUpperCase()} ${path}`;
      const parts: string[] = [];
      const params = op.parameters ?? [];
      const inPath = params.filter((p) => p.in === 'path');
      const inQuery = params.filter((p) => p.in === 'query');
      const inHeader = params.filter((p) => p.in === 'header');
      if (inPath.length > 0) {
        parts.push(`path: ${paramsType(inPath, route)};`);
      }
      if (inQuery.length > 0) {
        const optional = inQuery.every((p) => !p.required);
        parts.push(`query${optional ? '?' : ''}: ${paramsType(inQuery, route)};`);
      }
      if (inHeader.length > 0) {
        const optional = inHeader.every((p) => !p.required);
        parts.push(`headers${optional ? '?' : ''}: ${paramsType(inHeader, route)};`);
      }
      const json = op.requestBody?.content['application/json'];
      if (json) {
        parts.push(`body${op.requestBody?.required === false ? '?' : ''}: ${typeOf(json.schema, `${route} body`, 2)};`);
      }
      parts.push(`response: ${responseType(op, route)};`);
      entries.push(`  ${JSON.stringify(route)}: ${block(parts, 1)};`);
    }
  }
  out.push(...entries, '}', '');
  out.push('export type Route = keyof Operations;', '');
  return out.join('\n');
}
