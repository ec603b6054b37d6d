import { EventStore, MemoryEventStore, randomEventId } from '@payments/event-store';
import { MemoryReadModelStore, Projection, ProjectionRunner } from '@payments/read-models';

/** An event as a spec writes it: its type and the data stored with it. */
export interface SpecEvent {
  type: string;
  data: unknown;
}

/** Appends one event to `stream` with a fresh id, whatever the stream's revision; answers its global position. */
export async function appendEvent(store: EventStore, stream: string, event: SpecEvent): Promise<bigint> {
  const { position } = await store.appendToStream(stream, [{ id: randomEventId(), type: event.type, data: event.data, metadata: { schema_version: 1 } }], {
    expectedRevision: 'any',
  });
  return position;
}

export interface ProjectionFixture {
  /** The running test's event log (a fresh one each test). */
  readonly events: MemoryEventStore;
  /** The running test's read models (a fresh store each test). */
  readonly readModels: MemoryReadModelStore;
  /** Appends one event to the running test's log (see appendEvent). */
  append(stream: string, event: SpecEvent): Promise<bigint>;
  /** Catches each projection up with the log, one after the other. */
  project(...projections: Projection[]): Promise<void>;
}

/**
 * A new in-memory event log and read-model store for every test of the calling `describe`
 * (registers its beforeEach and afterEach). `events` and `readModels` are read at each use:
 * keep the fixture, do not destructure them at describe time. `append` and `project` may be.
 */
export function useProjectionFixture(): ProjectionFixture {
  let events: MemoryEventStore;
  let readModels: MemoryReadModelStore;

  beforeEach(() => {
    events = new MemoryEventStore();
    readModels = new MemoryReadModelStore();
  });

  afterEach(() => events.close());

  return {
    get events() {
      return events;
    },
    get readModels() {
      return readModels;
    },
    append: (stream, event) => appendEvent(events, stream, event),
    async project(...projections) {
      for (const projection of projections) await new ProjectionRunner(projection, events, readModels).catchUp();
    },
  };
}
