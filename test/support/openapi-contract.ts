import Ajv, { ErrorObject } from 'ajv';
import { OpenAPIObject } from '@nestjs/swagger';

type Json = Record<string, unknown>;

/** How closely a body must fit: `strict` also refuses any property a schema does not list. */
export type Fit = 'strict' | 'loose';

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas. */
const SCHEMA_KEYWORDS = new Set(['items', 'not', 'additionalProperties']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
const ROOT = (fit: Fit) => `https://payments.test/openapi/${fit}.json`;

/**
 * An OpenAPI 3.0 schema as the JSON Schema Ajv reads: `nullable` becomes a null type, and refs
 * point into the document's components under ROOT. With `strict`, every object with listed
 * properties is closed to others: the served document stays open, this is for tests only.
 */
function toJsonSchema(schema: unknown, fit: Fit): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const { nullable, ...rest } = schema as Json;
  const converted: Json = {};
  for (const [keyword, value] of Object.entries(rest)) {
    if (keyword === '$ref') converted.$ref = ROOT(fit) + String(value);
    else if (keyword === 'properties') converted.properties = Object.fromEntries(Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property, fit)]));
    else if (SCHEMA_KEYWORDS.has(keyword)) converted[keyword] = toJsonSchema(value, fit);
    else if (SCHEMA_LIST_KEYWORDS.has(keyword)) converted[keyword] = (value as unknown[]).map((item) => toJsonSchema(item, fit));
    else converted[keyword] = value;
  }
  if (fit === 'strict' && converted.properties && converted.additionalProperties === undefined) converted.additionalProperties = false;
  if (nullable !== true) return converted;
  if (typeof converted.type === 'string') {
    converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum) && !converted.enum.includes(null)) converted.enum = [...converted.enum, null];
    return converted;
  }
  return { anyOf: [converted, { type: 'null' }] };
}

const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Checks bodies against the schemas of an OpenAPI document: a response against the response
 * its operation documents for that status and content type, or any value against any schema.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  constructor(readonly document: OpenAPIObject) {
    this.ajv.addFormat('date-time', (value: string) => ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)));
    // One copy of the components per fit: they differ in whether objects are closed.
    for (const fit of ['strict', 'loose'] as const) {
      const schemas = Object.fromEntries(Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema, fit)]));
      this.ajv.addSchema({ $id: ROOT(fit), components: { schemas } });
    }
  }

  /** What is wrong with `value` as an instance of the OpenAPI `schema` (empty when it fits). */
  errorsOf(schema: unknown, value: unknown, fit: Fit = 'strict'): string[] {
    const validate = this.ajv.compile(toJsonSchema(schema, fit) as object);
    return validate(value) ? [] : (validate.errors ?? []).map(describe);
  }

  /**
   * What is wrong with a response to `method path` (the document's path template): its status
   * must be documented, its content type listed there, and its body must fit that schema.
   */
  responseErrors(method: string, path: string, response: { status: number; headers: Record<string, string>; body: unknown; text?: string }, fit: Fit = 'strict'): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase() as 'get'];
    if (!operation) return [`${method} ${path} is not in the document`];
    const documented = operation.responses[String(response.status)] as { content?: Record<string, { schema?: unknown }> } | undefined;
    if (!documented) return [`${method} ${path} answered ${response.status}, which the document does not list`];
    const contentType = (response.headers['content-type'] ?? '').split(';')[0].trim();
    if (!documented.content) return contentType === '' ? [] : [`${response.status} has a ${contentType} body the document does not describe`];
    const media = Object.entries(documented.content).find(([type]) => type.split(';')[0].trim() === contentType)?.[1];
    if (!media?.schema) return [`${response.status} answered ${contentType || 'no content type'}, the document lists ${Object.keys(documented.content).join(', ')}`];
    return this.errorsOf(media.schema, contentType.startsWith('text/') ? response.text : response.body, fit);
  }
}

function describe(error: ErrorObject): string {
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${error.instancePath || '(body)'} ${error.message ?? error.keyword}${extra}`;
}
