import { PaymentsEnv, apiEventId, redactSecrets, redactStreamName } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';

/**
 * A stored event as the API shows it, wherever it shows one (a payment's events, the event
 * stream and its SSE): the envelope of docs/events.md with API ids, nothing secret (the domain's
 * redactSecrets and redactStreamName), and `revision` (in its stream, from 0) and `position`
 * (in the global log) as JSON numbers: both stay far below 2^53, where numbers stop being
 * exact, for any log this service can hold.
 */
export function presentEvent(event: RecordedEvent, env: PaymentsEnv) {
  const causation = event.metadata.causation_id;
  return {
    id: apiEventId(event.id, env),
    type: event.type,
    stream: redactStreamName(event.streamId),
    revision: Number(event.revision),
    position: Number(event.position),
    created_at: event.createdAt.toISOString(),
    data: redactSecrets(event.type, event.data),
    // A saga step is caused by the event it read: name that event by its API id too.
    metadata: typeof causation === 'string' ? { ...event.metadata, causation_id: apiEventId(causation, env) } : event.metadata,
  };
}

export type PresentedEvent = ReturnType<typeof presentEvent>;
