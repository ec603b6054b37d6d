import { AggregateCache, DEFAULT_MAX_STREAMS } from './aggregate-cache';

const decider = {};
const folded = (revision: bigint) => ({ state: { revision }, revision });

describe('AggregateCache', () => {
  it('has nothing for a stream it was never given', () => {
    expect(new AggregateCache().get('route-a', decider)).toBeUndefined();
  });

  it('answers the last fold it was given for a stream', () => {
    const cache = new AggregateCache();
    cache.set('route-a', decider, folded(3n));

    expect(cache.get('route-a', decider)).toEqual(folded(3n));
  });

  it('drops the least recently used stream beyond its size limit', () => {
    const cache = new AggregateCache({ maxStreams: 2 });
    cache.set('route-a', decider, folded(0n));
    cache.set('route-b', decider, folded(0n));
    cache.set('route-c', decider, folded(0n));

    expect(cache.get('route-a', decider)).toBeUndefined();
    expect(cache.get('route-b', decider)).toBeDefined();
    expect(cache.get('route-c', decider)).toBeDefined();
  });

  it('keeps a stream that was just read and drops the one read longest ago', () => {
    const cache = new AggregateCache({ maxStreams: 2 });
    cache.set('route-a', decider, folded(0n));
    cache.set('route-b', decider, folded(0n));
    cache.get('route-a', decider);
    cache.set('route-c', decider, folded(0n));

    expect(cache.get('route-a', decider)).toBeDefined();
    expect(cache.get('route-b', decider)).toBeUndefined();
  });

  it('keeps a stream that was just stored again and drops the one stored longest ago', () => {
    const cache = new AggregateCache({ maxStreams: 2 });
    cache.set('route-a', decider, folded(0n));
    cache.set('route-b', decider, folded(0n));
    cache.set('route-a', decider, folded(1n));
    cache.set('route-c', decider, folded(0n));

    expect(cache.get('route-a', decider)).toEqual(folded(1n));
    expect(cache.get('route-b', decider)).toBeUndefined();
  });

  it('serves a fold only to the decider that folded it', () => {
    const cache = new AggregateCache();
    const other = {};
    cache.set('route-a', decider, folded(3n));

    expect(cache.get('route-a', other)).toBeUndefined();
    cache.set('route-a', other, folded(1n));
    expect(cache.get('route-a', other)).toEqual(folded(1n));
    expect(cache.get('route-a', decider)).toBeUndefined();
  });

  it('keeps the further fold when a load that read less of the stream finishes last', () => {
    const cache = new AggregateCache();
    cache.set('route-a', decider, folded(5n));
    cache.set('route-a', decider, folded(3n));

    expect(cache.get('route-a', decider)).toEqual(folded(5n));
  });

  it('holds at most DEFAULT_MAX_STREAMS streams unless told otherwise, however many are folded', () => {
    const cache = new AggregateCache();
    for (let n = 0; n <= DEFAULT_MAX_STREAMS * 2; n++) cache.set(`payment-${n}`, decider, folded(0n));

    const held = Array.from({ length: DEFAULT_MAX_STREAMS * 2 + 1 }, (_, n) => cache.get(`payment-${n}`, decider)).filter((fold) => fold !== undefined);
    expect(held).toHaveLength(DEFAULT_MAX_STREAMS);
    expect(cache.get(`payment-${DEFAULT_MAX_STREAMS * 2}`, decider)).toBeDefined();
  });

  it('refuses a size limit that could hold no stream', () => {
    expect(() => new AggregateCache({ maxStreams: 0 })).toThrow(/maxStreams/);
  });
});
