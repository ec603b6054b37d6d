/** Deeper than any read model nests; beyond it, JSON itself copies (and refuses a cycle as JSON does). */
const MAX_DEPTH = 100;

/**
 * JSON.parse(JSON.stringify(value)), made without the text: the document a store would give
 * back, for the overlays that hold documents in memory (a projection's own copy, which it may
 * change). Plain objects, arrays and primitives are copied directly, with JSON's rules
 * (undefined, functions and symbols dropped from objects and null in arrays, non-finite numbers
 * null, -0 as 0); anything else (a Date, a class instance, an object with toJSON) goes through
 * JSON itself. About three times as fast as the round trip for the documents projections write.
 */
export function jsonCopy(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null;
    case 'bigint':
      // As JSON.stringify does.
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (value === null) return null;
      if (depth > MAX_DEPTH) return JSON.parse(JSON.stringify(value));
      if (Array.isArray(value)) {
        const copy: unknown[] = new Array(value.length);
        for (let index = 0; index < value.length; index++) {
          const item = jsonCopy(value[index], depth + 1);
          copy[index] = item === undefined ? null : item;
        }
        return copy;
      }
      const prototype = Object.getPrototypeOf(value);
      if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return JSON.parse(JSON.stringify(value));
      }
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = jsonCopy((value as Record<string, unknown>)[key], depth + 1);
        if (item !== undefined) copy[key] = item;
      }
      return copy;
    }
    default:
      // undefined, functions and symbols: what JSON.stringify leaves out.
      return undefined;
  }
}
