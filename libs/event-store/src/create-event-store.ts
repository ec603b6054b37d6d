import { Pool } from 'pg';
import { EventStore } from './event-store';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { PostgresEventStore } from './postgres-event-store';
import { SqliteEventStore } from './sqlite-event-store';

export interface EventStoreOptions {
  /** EVENTSTORE_CONNECTION_STRING: when set, EventStoreDB; otherwise the embedded sqlite file. */
  connectionString?: string;
  /** POSTGRES_URL's pool: when there is one (and no EventStoreDB), the events live in PostgreSQL. */
  postgres?: Pool | null;
  /** DATA_DIR: the sqlite file lives at `<dataDir>/events.db`. */
  dataDir: string;
}

/** Chooses the adapter from the settings: EventStoreDB, else PostgreSQL, else the sqlite file. */
export function createEventStore(options: EventStoreOptions): EventStore {
  if (options.connectionString) return new EventStoreDbEventStore({ connectionString: options.connectionString });
  if (options.postgres) return new PostgresEventStore({ pool: options.postgres });
  return new SqliteEventStore({ dataDir: options.dataDir });
}
