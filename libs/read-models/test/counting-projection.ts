import { EventStore, RecordedEvent } from '@payments/event-store';
import { Projection } from '@payments/read-models';
import { appendEvent } from './projection-fixture';

/** What the counting projection keeps per stream: every position it applied, so a repeat or a gap shows. */
export interface StreamCount {
  stream: string;
  count: number;
  positions: string[];
}

/**
 * Counts `Counted` events per stream by reading its own document and writing it back, the way
 * a reference count does, so an event applied twice (or a read that misses an earlier write of
 * the same batch) shows in the count.
 */
export function countingProjection(name = 'counting'): Projection {
  return {
    name,
    collections: [`${name}_counts`],
    async project(event: RecordedEvent, reader) {
      if (event.type !== 'Counted') return [];
      const collection = `${name}_counts`;
      const current = (await reader.get<StreamCount>(collection, event.streamId)) ?? { stream: event.streamId, count: 0, positions: [] };
      const next: StreamCount = { ...current, count: current.count + 1, positions: [...current.positions, event.position.toString()] };
      return [{ op: 'put', collection, id: event.streamId, doc: next, indexes: [{ index: 'by_count', score: next.count }] }];
    },
  };
}

/** Appends `count` events of `type` to `stream`, one append each; answers the last position. */
export async function appendEvents(store: EventStore, stream: string, count: number, type = 'Counted'): Promise<bigint> {
  let position = 0n;
  for (let i = 0; i < count; i++) {
    position = await appendEvent(store, stream, { type, data: { i } });
  }
  return position;
}
