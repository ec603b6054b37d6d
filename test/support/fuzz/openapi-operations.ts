import SwaggerParser from '@apidevtools/swagger-parser';

/** The parts of a (dereferenced) JSON schema the generators read; anything else is ignored. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  enum?: unknown[];
  nullable?: boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
  default?: unknown;
}

export interface Parameter {
  name: string;
  schema?: Schema;
}

/** One operation of the document, as much of it as the document says; missing parts are left undefined. */
export interface Operation {
  method: string;
  /** The path template, `/v1/processors/{id}`. */
  template: string;
  /** `GET /v1/processors/{id}`: how failures and counts name it. */
  name: string;
  pathParams: Parameter[];
  query: Parameter[];
  /** Whether the document asks for a bearer token (health and metrics ask for none). */
  secured: boolean;
  /** Undefined when the document gives the operation no request body. */
  body?: {
    required: boolean;
    /** The JSON schema, when the document has one. */
    json?: Schema;
    jsonAccepted: boolean;
    formAccepted: boolean;
  };
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

interface RawOperation {
  parameters?: Array<{ name?: string; in?: string; schema?: Schema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
}

interface RawDocument {
  security?: Array<Record<string, unknown>>;
  paths?: Record<string, Partial<Record<(typeof METHODS)[number], RawOperation>> & { parameters?: RawOperation['parameters'] }>;
}

/**
 * Every operation of the served OpenAPI document, read at test time so that the suite attacks
 * what the service says it has, not a list that drifts from it. Defensive on purpose: the
 * document may lack parameters or body schemas, and an operation without them is attacked with
 * generic values instead.
 */
export async function operationsOf(document: object): Promise<Operation[]> {
  // A copy: dereferencing rewrites the object in place, and circular schemas stay shared objects (the generators bound their depth).
  const doc = (await SwaggerParser.dereference(structuredClone(document) as never)) as RawDocument;
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const parameters = [...(item.parameters ?? []), ...(raw.parameters ?? [])].filter((p) => typeof p?.name === 'string');
      const named = (where: string) => parameters.filter((p) => p.in === where).map((p) => ({ name: p.name!, schema: p.schema }));
      // The template names its path parameters even when the document forgets to list them.
      const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map(([, name]) => named('path').find((p) => p.name === name) ?? { name });
      const content = raw.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        template,
        name: `${method.toUpperCase()} ${template}`,
        pathParams,
        query: named('query'),
        secured: (raw.security ?? doc.security ?? []).some((requirement) => Object.keys(requirement).length > 0),
        body: raw.requestBody && {
          required: raw.requestBody.required === true,
          json: content['application/json']?.schema,
          jsonAccepted: 'application/json' in content,
          formAccepted: 'application/x-www-form-urlencoded' in content,
        },
      });
    }
  }
  return operations;
}
