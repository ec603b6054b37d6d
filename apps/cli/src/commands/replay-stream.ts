import { redactSecrets } from '@payments/domain';
import { EventStore } from '@payments/event-store/event-store';
import { WriteLine } from '../output';

/** Prints a stream event by event, as it was stored (secrets redacted), for an operator reading any stream's history. */
export async function replayStream(events: EventStore, stream: string, out: WriteLine): Promise<void> {
  let count = 0;
  for await (const event of events.readStream(stream)) {
    count++;
    await out(`#${event.revision} ${event.type} (position ${event.position}, ${event.createdAt.toISOString()}, id ${event.id})`);
    await out(`  data:     ${JSON.stringify(redactSecrets(event.type, event.data))}`);
    await out(`  metadata: ${JSON.stringify(event.metadata)}`);
  }
  if (count === 0) throw new Error(`stream ${stream} has no events`);
  await out(`${count} events in ${stream}`);
}
