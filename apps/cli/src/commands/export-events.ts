import { redactSecrets } from '@payments/domain';
import { EventStore, RecordedEvent } from '@payments/event-store';
import { WriteLine } from '../output';

/**
 * One JSON object per line, in global order. Positions and revisions are strings: they are
 * 64-bit and JSON numbers are not exact beyond 2^53; `--after` takes them back as they are.
 */
export function eventAsJson(event: RecordedEvent): string {
  return JSON.stringify({
    id: event.id,
    stream: event.streamId,
    type: event.type,
    revision: event.revision.toString(),
    position: event.position.toString(),
    created_at: event.createdAt.toISOString(),
    data: redactSecrets(event.type, event.data),
    metadata: event.metadata,
  });
}

export async function exportEvents(events: EventStore, options: { after?: bigint; limit?: number }, out: WriteLine): Promise<void> {
  for await (const event of events.readAll({ fromPosition: options.after, maxCount: options.limit })) await out(eventAsJson(event));
}
