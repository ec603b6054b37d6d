import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSIONS_BY_STREAM, UNKNOWN_EVENT, domainEventOf, evolveStored, fold, isEventOf, routeDecider } from '../src';

describe('reading stored events as domain events', () => {
  const data = { payment_id: 'pay_stg_1', reason: 'all_processors_failed', completed_at: '2026-11-21T20:10:06.455Z' };

  it('reads an event of a known type at its current schema version as it is stored', () => {
    expect(domainEventOf({ type: 'PaymentFailed', data, metadata: { schema_version: 1 } })).toEqual({ type: 'PaymentFailed', data });
  });

  it('reads an event stored without a schema version as version 1', () => {
    expect(domainEventOf({ type: 'PaymentFailed', data })).toEqual({ type: 'PaymentFailed', data });
  });

  it('passes an event of a type it does not know as an unknown event, keeping what was stored', () => {
    expect(domainEventOf({ type: 'PaymentCapturedTwice', data, metadata: { schema_version: 1 } })).toEqual({
      type: UNKNOWN_EVENT,
      data: { type: 'PaymentCapturedTwice', schema_version: 1, reason: 'unknown_type', data },
    });
  });

  it('passes an event of a schema version newer than its own as an unknown event', () => {
    expect(domainEventOf({ type: 'PaymentFailed', data, metadata: { schema_version: 2 } })).toEqual({
      type: UNKNOWN_EVENT,
      data: { type: 'PaymentFailed', schema_version: 2, reason: 'newer_schema_version', data },
    });
  });

  it('refuses an older schema version that has no upcaster rather than reading it as the current one', () => {
    expect(() => domainEventOf({ type: 'PaymentFailed', data, metadata: { schema_version: 0 } })).toThrow('no upcaster for PaymentFailed from schema version 0 to 1');
  });

  it('tells the stream category of a known event, and of an unknown one none', () => {
    const failed = domainEventOf({ type: 'PaymentFailed', data });
    expect([isEventOf(failed, 'payment'), isEventOf(failed, 'checkout_session')]).toEqual([true, false]);
    expect(isEventOf(domainEventOf({ type: 'constructor', data }), 'payment')).toBe(false);
  });

  it("passes by, in an aggregate's fold, an event of a schema version newer than its own", () => {
    const created = { route_id: 'proute_stg_1', account_id: 'acc_stg_1', name: 'R', revision: 1, created_at: '2026-11-21T20:10:06.455Z' };
    const state = evolveStored(routeDecider, routeDecider.initialState(), { type: 'RouteCreated', data: { ...created, processors: [{ processor_id: 'proc_stg_1', weight: null }] } });
    expect(state).not.toEqual(fold(routeDecider, []));
    expect(evolveStored(routeDecider, state, { type: 'RouteDeleted', data: { route_id: 'proute_stg_1' }, metadata: { schema_version: 9 } })).toBe(state);
  });

  it("gives a decider of another event set its own types as stored, in an aggregate's fold", () => {
    const counter = { evolve: (count: number, event: { type: 'Counted'; data: { by: number } }) => count + event.data.by };
    expect(evolveStored(counter, 1, { type: 'Counted', data: { by: 2 }, metadata: { schema_version: 1 } })).toBe(3);
  });

  it('knows exactly the types, streams and versions the event catalog (docs/events.md) lists', () => {
    const catalog = readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8');
    const index = catalog.slice(catalog.indexOf('## Index of event types'));
    const rows = [...index.matchAll(/^\| `(\w+)` \| `([\w]+)-` \| (\d+) \|$/gm)];
    expect(rows.length).toBeGreaterThan(0);
    const listed: Record<string, Record<string, number>> = {};
    for (const [, type, stream, version] of rows) (listed[stream] ??= {})[type] = Number(version);
    expect(listed).toEqual(SCHEMA_VERSIONS_BY_STREAM);
  });
});
