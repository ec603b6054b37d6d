import { jsonCopy } from '@payments/read-models/json-copy';

/** What every overlay must hand back: exactly what a store that keeps JSON would. */
const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

class Money {
  constructor(readonly amount: number) {}
}

describe('jsonCopy', () => {
  it.each([
    ['a payment-like document', { id: 'pay_1', view: { attempts: [{ outcome: 'declined', code: '05' }, { outcome: null }], amount: 4900 }, tiers: [], listed_at: null }],
    ['fields JSON leaves out', { kept: 1, gone: undefined, fn: () => 1, [Symbol('s')]: 2 }],
    ['array items JSON turns into null', [undefined, () => 1, Symbol('s'), 1, , 'x']],
    ['numbers JSON cannot hold, and -0', { nan: NaN, inf: Infinity, negInf: -Infinity, negZero: -0, big: 2 ** 60 }],
    ['a date and an object with toJSON', { at: new Date('2026-01-02T03:04:05.000Z'), custom: { toJSON: () => 'custom' } }],
    ['a class instance', { money: new Money(5) }],
    ['integer-like keys, which JSON orders first', { b: 1, 2: 'two', a: 3, 1: 'one' }],
    ['an object without a prototype', Object.assign(Object.create(null), { x: 1 })],
    ['deep nesting', JSON.parse('['.repeat(150) + ']'.repeat(150))],
    ['null, a string, a boolean', [null, 'text', false]],
  ])('copies %s as a JSON round trip would', (_, value) => {
    const copy = jsonCopy(value);

    expect(copy).toStrictEqual(roundTrip(value));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    if (Object.keys(value as object).length > 0) expect(Object.keys(copy as object)).toEqual(Object.keys(roundTrip(value)));
  });

  it('copies: changing the copy leaves the original alone', () => {
    const original = { nested: { list: [1, { n: 2 }] } };
    const copy = jsonCopy(original) as typeof original;

    (copy.nested.list[1] as { n: number }).n = 3;
    copy.nested.list.push(4);

    expect(original).toEqual({ nested: { list: [1, { n: 2 }] } });
  });

  it('gives undefined for what JSON.stringify gives undefined, and refuses what it refuses', () => {
    expect(jsonCopy(undefined)).toBeUndefined();
    expect(jsonCopy(() => 1)).toBeUndefined();
    expect(() => jsonCopy({ n: 1n })).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonCopy(cycle)).toThrow(TypeError);
  });
});
