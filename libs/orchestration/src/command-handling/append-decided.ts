import { DomainEvent, EventMetadata, schemaVersionOf } from '@payments/domain';
import { AppendResult, EventStore, EventToAppend, deterministicUuid, randomEventId } from '@payments/event-store';
import { CommandMetadata } from './command-metadata';

/**
 * Appending, the last part of handling commands: the decided events with their ids and metadata,
 * appended at once with the revision they were decided on as the expected revision.
 */

/** What appending needs of a command's options. */
export interface AppendOptions {
  metadata?: CommandMetadata;
  /**
   * Makes event ids deterministic (`<commandId>:<stream>:<revision>:<index>`), so that a command
   * re-run after a lost acknowledgement appends nothing new. Omitted: random ids.
   */
  commandId?: string;
}

/** One command's decided events, and the revision of the stream before them. */
export interface DecidedEvents {
  options: AppendOptions;
  events: readonly DomainEvent[];
  revision: bigint;
}

/**
 * Appends the events of every command in order, in one append expecting the stream at
 * `loadedRevision` (-1n: that it does not exist). A concurrent writer makes it fail with
 * WrongExpectedRevision.
 */
export function appendDecided(store: EventStore, stream: string, decided: readonly DecidedEvents[], loadedRevision: bigint): Promise<AppendResult> {
  const events = decided.flatMap(({ options, events, revision }) => events.map((event, index) => eventToAppend(stream, options, revision, event, index)));
  return store.appendToStream(stream, events, { expectedRevision: loadedRevision < 0n ? 'no_stream' : loadedRevision });
}

function eventToAppend(stream: string, options: AppendOptions, revision: bigint, event: DomainEvent, index: number): EventToAppend {
  return {
    id: options.commandId ? deterministicUuid(`${options.commandId}:${stream}:${revision}:${index}`) : randomEventId(),
    type: event.type,
    data: event.data,
    metadata: metadataFor(event, options),
  };
}

/** The command's metadata, and the schema version its type is written at (domainEventOf's table). */
function metadataFor(event: DomainEvent, options: AppendOptions): EventMetadata {
  const m = options.metadata ?? {};
  const metadata: EventMetadata = { schema_version: schemaVersionOf(event.type) ?? 1 };
  if (m.accountId) metadata.account_id = m.accountId;
  const correlation = m.correlationId ?? options.commandId;
  if (correlation) metadata.correlation_id = correlation;
  if (m.causationId) metadata.causation_id = m.causationId;
  if (m.requestId) metadata.request_id = m.requestId;
  return metadata;
}
