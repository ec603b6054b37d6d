/**
 * Child process of sqlite-durability.int-spec.ts. Appends batches of one to four events to a few
 * streams of the sqlite store in the given data directory, as fast as it can, until it is killed.
 * Once the store has acknowledged an append, prints it as one JSON line:
 * {"stream": ..., "revision": <revision of its last event>, "position": <position of its last event>}.
 */
// The adapter's own modules rather than the package index, which also loads the EventStoreDB
// client and would add over half a second to every start.
import { randomEventId } from '@payments/event-store/event-id';
import { SqliteEventStore } from '@payments/event-store/sqlite-event-store';

async function appendUntilKilled(dataDir: string): Promise<never> {
  const store = new SqliteEventStore({ dataDir });
  const revisions = new Map<string, bigint>();
  for (let append = 0; ; append++) {
    const stream = `durability-s${append % 5}`;
    const events = Array.from({ length: 1 + (append % 4) }, (_, index) => ({
      id: randomEventId(),
      type: 'DurabilityProbed',
      data: { append, index },
      metadata: { schema_version: 1 },
    }));
    const result = await store.appendToStream(stream, events, { expectedRevision: revisions.get(stream) ?? 'no_stream' });
    revisions.set(stream, result.nextRevision);
    // stdout is a pipe, which node writes synchronously: once printed, the parent can read it.
    process.stdout.write(`${JSON.stringify({ stream, revision: String(result.nextRevision), position: String(result.position) })}\n`);
  }
}

void appendUntilKilled(process.argv[2]);
