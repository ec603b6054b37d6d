import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSIONS, UNKNOWN_EVENT, domainEventOf } from '../src';

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

  it('knows exactly the types and versions the event catalog (docs/events.md) lists', () => {
    const catalog = readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8');
    const index = catalog.slice(catalog.indexOf('## Index of event types'));
    const rows = [...index.matchAll(/^\| `(\w+)` \| `[\w-]+` \| (\d+) \|$/gm)].map(([, type, version]) => [type, Number(version)]);
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.fromEntries(rows)).toEqual(SCHEMA_VERSIONS);
  });
});
