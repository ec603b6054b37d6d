import fc from 'fast-check';
import { Schema } from './openapi-operations';

/** Where real ids come from: the spec knows the resources it created, the schema only shows an example id. */
export type IdSource = (field: string, example: unknown) => fc.Arbitrary<string>;

/** Deeper than any contract body (five levels): a circular schema stops here. */
const MAX_DEPTH = 8;

/** allOf folded into one schema: nest's `nullable` + `allOf: [$ref]` is the usual shape. */
function flatten(schema: Schema): Schema {
  if (!schema.allOf?.length) return schema;
  const parts = schema.allOf.map(flatten);
  const { allOf: _allOf, ...rest } = schema;
  return parts.reduce<Schema>(
    (merged, part) => ({
      ...part,
      ...merged,
      properties: { ...part.properties, ...merged.properties },
      required: [...(part.required ?? []), ...(merged.required ?? [])],
    }),
    rest,
  );
}

function typeOf(schema: Schema): string | undefined {
  const declared = Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;
  // nest/swagger documents a `string | null` property as `type: object`; the example tells what it really is.
  if ((declared === 'object' || declared === undefined) && !schema.properties && schema.example !== undefined && schema.example !== null) {
    if (Array.isArray(schema.example)) return 'array';
    if (typeof schema.example !== 'object') return typeof schema.example;
  }
  if (declared === undefined && schema.properties) return 'object';
  return declared;
}

const bounded = (low: number, high: number) => (low <= high ? [low, high] : [high, low]);

function stringFrom(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const text = fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 24, 24)) });
  const known = [schema.example, schema.default].filter((value): value is string => typeof value === 'string');
  // The example is what the service takes (a currency code, a URL, a pattern-shaped code); random text tests the rest.
  return known.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: text }) : text;
}

function numberFrom(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const [min, max] = bounded(schema.minimum ?? 0, schema.maximum ?? Math.max((schema.minimum ?? 0) + 1000, 1000));
  const known = [schema.example, schema.default, schema.minimum, schema.maximum].filter((value): value is number => typeof value === 'number');
  const range = integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.oneof(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), fc.double({ min, max, noNaN: true }));
  return known.length > 0 ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: range }) : range;
}

/**
 * Values a client reading the schema would send: enums, examples, bounds and random values in
 * range, real ids for `*_id` fields. Valid-looking rather than valid: the schema does not say
 * everything (one of two fields, a route's splits adding up to 100), so some are refused, which
 * the properties must hold for as well.
 */
export function schemaValue(schema: Schema | undefined, ids: IdSource, field = '', depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > MAX_DEPTH) return fc.constant(null);
  const flat = flatten(schema);
  const value = nonNullValue(flat, ids, field, depth);
  return flat.nullable ? fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 6, arbitrary: value }) : value;
}

function nonNullValue(schema: Schema, ids: IdSource, field: string, depth: number): fc.Arbitrary<unknown> {
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((alternative) => schemaValue(alternative, ids, field, depth + 1)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const type = typeOf(schema);
  if (/(^|_)id$/.test(field) && (type === 'string' || type === undefined || (type === 'object' && !schema.properties))) return ids(field, schema.example);
  switch (type) {
    case 'string':
      return stringFrom(schema);
    case 'integer':
      return numberFrom(schema, true);
    case 'number':
      return numberFrom(schema, Number.isInteger(schema.example ?? 0));
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const example = Array.isArray(schema.example) ? [fc.constant(schema.example)] : [];
      const minLength = schema.minItems ?? 0;
      const items = fc.array(schemaValue(schema.items, ids, singular(field), depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
      return example.length ? fc.oneof(items, ...example) : items;
    }
    case 'object':
      return objectValue(schema, ids, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** `processors` holds processors: an item's field name for its id hint. */
const singular = (field: string) => field.replace(/s$/, '');

function objectValue(schema: Schema, ids: IdSource, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, schemaValue(property, ids, name, depth + 1)]));
  const required = (schema.required ?? []).filter((name) => name in properties);
  const record = fc.record(model, { requiredKeys: required, noNullPrototype: true });
  const extra = schema.additionalProperties;
  if (extra === undefined || typeof extra === 'boolean') return record;
  const entries = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/), schemaValue(extra, ids, '', depth + 1), { maxKeys: 3, noNullPrototype: true });
  return fc.tuple(record, entries).map(([fixed, more]) => ({ ...more, ...fixed }));
}
