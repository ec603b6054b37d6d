import { RecordedEvent } from '@payments/event-store';
import { ReadModelStore, ReadModelWrite } from './read-model-store';

/** What a projection may read while it projects: the documents as they stand after the events before this one. */
export type ProjectionReader = Pick<ReadModelStore, 'get' | 'getMany'>;

/**
 * Turns events into read-model writes. `project` sees every event of the global log in order
 * and must be deterministic, given the event and what it reads, so a rebuild from position 0
 * gives the same read model; events it does not care about give no writes. Each document it
 * reads is its own copy, which it may change; a document it has returned in a write it no longer
 * changes (the runner holds that object until the commit).
 */
export interface Projection {
  /** Names the checkpoint; unique among projections. */
  readonly name: string;
  /** The collections it alone writes; a rebuild deletes them. */
  readonly collections: readonly string[];
  project(event: RecordedEvent, reader: ProjectionReader): ReadModelWrite[] | Promise<ReadModelWrite[]>;
}
