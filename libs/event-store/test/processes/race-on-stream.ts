/**
 * Child process of sqlite-event-store.int-spec.ts. Opens the sqlite store in the given data
 * directory, prints "ready", and once a line arrives on stdin makes `rounds` attempts to append
 * one event to `stream` at the revision it has just read, the way a command handler does.
 * Prints one JSON line: {"won": [<position of each append that won>], "conflicts": <count>}.
 */
// The adapter's own modules rather than the package index, which also loads the EventStoreDB
// client and would add over half a second to every start.
import { randomEventId } from '@payments/event-store/event-id';
import { WrongExpectedRevision, readStreamToArray } from '@payments/event-store/event-store';
import { SqliteEventStore } from '@payments/event-store/sqlite-event-store';

async function race(dataDir: string, stream: string, rounds: number): Promise<void> {
  const store = new SqliteEventStore({ dataDir });
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const won: string[] = [];
  let conflicts = 0;
  for (let round = 0; round < rounds; round++) {
    const events = await readStreamToArray(store, stream);
    const event = { id: randomEventId(), type: 'RaceRun', data: { pid: process.pid, round }, metadata: { schema_version: 1 } };
    try {
      const result = await store.appendToStream(stream, [event], { expectedRevision: events[events.length - 1]?.revision ?? 'no_stream' });
      won.push(String(result.position));
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      conflicts++;
    }
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ won, conflicts })}\n`);
  process.stdin.destroy();
}

race(process.argv[2], process.argv[3], Number(process.argv[4])).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
