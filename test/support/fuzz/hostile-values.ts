import fc from 'fast-check';

/** Test card numbers, planted anywhere a request can carry text; no answer may give them back. */
export const CARD_NUMBERS = ['4242424242424242', '5555555555554444'] as const;

/** The ways a person or a program writes a card number. */
export const cardNumber: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...CARD_NUMBERS), fc.constantFrom('', ' ', '-'))
  .map(([digits, separator]) => (separator ? digits.replace(/(\d{4})(?=\d)/g, `$1${separator}`) : digits));

/**
 * JSON text a JS value cannot hold: `-0`, numbers past double precision or range, or nesting
 * too deep to build as a value. Written into a value as a marker string that `renderJson`
 * replaces with the text itself.
 */
export const raw = (text: string) => `\u0001raw:${text}\u0001`;

/** A key that JSON.stringify cannot write (`__proto__` on an object literal is its prototype, not a key). */
export const rawKey = (key: string) => `\u0001key:${key}\u0001`;

export function renderJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/"\\u0001raw:((?:[^"\\]|\\.)*?)\\u0001"/g, (_, text: string) => text)
    .replace(/"\\u0001key:((?:[^"\\]|\\.)*?)\\u0001"/g, (_, key: string) => `"${key}"`);
}

const deeplyNested = (levels: number, open: string, close: string) => raw(`${open.repeat(levels)}${close.repeat(levels)}`);

export const hostileNumber: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  1e308,
  raw('-0'),
  raw('9007199254740993'), // 2**53 + 1, which no double holds
  raw('1e999'),
  raw('-1e999'),
  raw('123456789012345678901234567890'),
  5e-324,
  -1,
  0,
  1.5,
  2 ** 31,
  -(2 ** 53),
  'NaN',
  'Infinity',
  '1e308',
  '12',
  '0x10',
);

/** Text that has broken services: encodings, control and direction characters, injections, lengths. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\ud800',
    'a\udc00b',
    '\udbff\udfff',
    '\u0000',
    'nul\u0000inside',
    'Acme\u202eSU',
    '\u200f\u202a\u2066rtl',
    '\ufeffbom',
    '👩‍👩‍👧‍👦💳🏳️‍🌈',
    'ｆｕｌｌｗｉｄｔｈ１２',
    'e\u0301\u0301\u0301',
    '\u2028\u2029',
    '\r\nX-Injected: 1',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '${jndi:ldap://x/a}',
    '{{7*7}}',
    '../../../etc/passwd',
    '%00%2e%2e%2f',
    'null',
    'true',
    '[object Object]',
    '__proto__',
    'constructor',
  ),
  cardNumber,
  cardNumber.map((card) => `Card ${card} exp 12/40 cvc 123`),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 100_000 }).map((length) => 'é'.repeat(length)),
  fc.integer({ min: 60, max: 5_000 }).map((length) => `${CARD_NUMBERS[0]}${'9'.repeat(length)}`),
);

/** Keys no contract has: prototype keys (as raw text), card numbers, odd text, names of Object.prototype members. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype').map(rawKey),
  fc.constantFrom('colour', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '$where', 'a.b', '[0]', '0', '', ' ', 'x'.repeat(1_000)),
  cardNumber,
  hostileString.filter((key) => key.length <= 2_000),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  hostileString,
  fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[]], { '': null }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(31, 32, 33, 200, 5_000).chain((levels) => fc.constantFrom(deeplyNested(levels, '[', ']'), deeplyNested(levels, '{"a":', '}'))),
  fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => ({ [rawKey(key)]: { polluted: true } })),
);

/** A slot of a JSON value: the container and the key or index within it. */
interface Slot {
  container: Record<string, unknown> | unknown[];
  key: string | number;
}

function slotsOf(value: unknown, into: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      into.push({ container: value, key: index });
      slotsOf(item, into);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      into.push({ container: value as Record<string, unknown>, key });
      slotsOf(item, into);
    }
  }
  return into;
}

function containersOf(value: unknown): Array<Record<string, unknown>> {
  const objects = slotsOf(value)
    .map(({ container, key }) => (container as Record<string | number, unknown>)[key])
    .filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item));
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? [value as Record<string, unknown>, ...objects] : objects;
}

/** What a mutation did, kept in the counterexample. */
export type Mutated = { value: unknown; edit: string };

type Edit = (value: unknown, pick: number) => Mutated;

const at = <T>(items: readonly T[], pick: number): T | undefined => (items.length ? items[pick % items.length] : undefined);

const pathOf = ({ key }: Slot) => String(key);

/** One edit of a valid-looking body, picking where it applies with `pick`; the body is a fresh copy. */
const edits: fc.Arbitrary<Edit> = fc.oneof(
  // Copies: constants are shared between runs, and a later edit may write into what an earlier one inserted.
  hostileValue.map<Edit>((shared) => (value, pick) => {
    const replacement = structuredClone(shared);
    const slot = at(slotsOf(value), pick);
    if (!slot) return { value: replacement, edit: 'whole body replaced' };
    (slot.container as Record<string | number, unknown>)[slot.key] = replacement;
    return { value, edit: `${pathOf(slot)} replaced` };
  }),
  fc.constant<Edit>((value, pick) => {
    const slot = at(slotsOf(value), pick);
    if (!slot) return { value, edit: 'nothing to delete' };
    if (Array.isArray(slot.container)) slot.container.splice(Number(slot.key), 1);
    else delete slot.container[slot.key];
    return { value, edit: `${pathOf(slot)} deleted` };
  }),
  fc.tuple(hostileKey, hostileValue).map<Edit>(([key, shared]) => (value, pick) => {
    const extra = structuredClone(shared);
    const target = at(containersOf(value), pick);
    if (!target) return { value: { [key]: extra }, edit: 'body made an object with an unknown key' };
    target[key] = extra;
    return { value, edit: 'unknown key added' };
  }),
  fc.constant<Edit>((value, pick) => {
    const slot = at(slotsOf(value), pick);
    if (!slot) return { value: [value], edit: 'body wrapped in an array' };
    const container = slot.container as Record<string | number, unknown>;
    const item = container[slot.key];
    // Arrays where objects belong and objects where arrays belong.
    container[slot.key] = Array.isArray(item) ? Object.fromEntries(item.map((entry, index) => [String(index), entry])) : item !== null && typeof item === 'object' ? Object.values(item) : [item];
    return { value, edit: `${pathOf(slot)} turned array/object` };
  }),
);

export const mutatedBody = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<Mutated> =>
  fc.tuple(valid, fc.array(edits, { minLength: 1, maxLength: 3 }), fc.nat()).map(([body, steps, pick]) =>
    steps.reduce<Mutated>(
      (done, edit) => {
        const next = edit(done.value, pick);
        return { value: next.value, edit: `${done.edit}${done.edit ? '; ' : ''}${next.edit}` };
      },
      { value: structuredClone(body), edit: '' },
    ),
  );

/** Whole bodies that are not what any operation takes. */
export const hostileBodyText: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom<string | Buffer>(
    'null',
    '42',
    '"text"',
    '[]',
    '[{}]',
    'true',
    '',
    '{',
    '{"a":1,}',
    "{'a':1}",
    '{"a":1}{"b":2}',
    'NaN',
    '\ufeff{}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
    Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]), // {"name":"<invalid UTF-8>"}
    Buffer.from('{"name":"x"}', 'utf16le'),
  ),
  cardNumber.map((card) => `{"number":"${card}"`),
  cardNumber.map((card) => `number=${card}&cvc=123`),
);

/** Percent-encodes every byte but the unreserved ones; unlike encodeURIComponent, takes lone surrogates (as U+FFFD, which is what UTF-8 can carry). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** The text a marker stands for, in a form, where there is no JSON to write it into. */
const unmarked = (text: string) => text.replace(/\u0001(?:raw|key):(.*?)\u0001/g, '$1');

/** `a[b][0]=c` bracket keys, as qs (and the checkout session form) reads them. */
export function renderForm(value: unknown, prefix = ''): string[] {
  const key = percentEncode(unmarked(prefix));
  if (value === null || value === undefined) return [`${key}=`];
  if (typeof value !== 'object') return [`${key}=${percentEncode(unmarked(String(value)))}`];
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  if (entries.length === 0) return [`${key}=`];
  return entries.flatMap(([name, item]) => renderForm(item, prefix ? `${prefix}[${name}]` : name));
}
