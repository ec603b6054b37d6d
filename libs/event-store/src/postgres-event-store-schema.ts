import { Migration } from './postgres-migrations';

/** The name the event store's migrations are recorded under in schema_migrations. */
export const EVENT_STORE_COMPONENT = 'event-store';

/** The channel every append notifies in its own transaction, so listeners wake once it commits. */
export const APPENDED_CHANNEL = 'event_store_appended';

/**
 * The lock every append takes before it draws its positions, held until it commits (see
 * postgres-append.ts). The two-key form keeps it apart from the single-key locks (the
 * migrations' hashtext('schema_migrations'), other components' locks by hashed name).
 */
export const POSITION_LOCK_SQL = "pg_advisory_xact_lock(hashtext('event-store'), hashtext('positions'))";

/**
 * - position: drawn from a sequence of its own (CACHE 1, so values follow the order they are
 *   drawn in across sessions) by appends that hold the position lock; a rolled-back append
 *   leaves a hole, never a late arrival.
 * - UNIQUE (stream_id, revision): the stream read and current-revision index, and the fence
 *   between two writers that checked the same revision (the later insert fails, 23505).
 * - UNIQUE (stream_id, event_id): ids are unique per stream as in the sqlite adapter, so the
 *   idempotency lookups are an index probe.
 * - data and metadata are json, not jsonb: json keeps the text as written (key order, \u0000),
 *   so events read back exactly as JSON.parse of what was appended, as in the other adapters.
 * - event_store_identity: one row, made by the migration, so it exists once per database and
 *   whichever process migrates first makes it.
 */
export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events with a global position, and the store identity',
    sql: `
      CREATE TABLE events (
        position   bigint      NOT NULL,
        stream_id  text        NOT NULL,
        revision   bigint      NOT NULL,
        event_id   uuid        NOT NULL,
        type       text        NOT NULL,
        data       json        NOT NULL,
        metadata   json        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_pkey PRIMARY KEY (position),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
        CONSTRAINT events_stream_event_id_key UNIQUE (stream_id, event_id),
        CONSTRAINT events_revision_check CHECK (revision >= 0)
      );
      CREATE SEQUENCE events_position_seq AS bigint MINVALUE 1 CACHE 1 OWNED BY events.position;
      CREATE TABLE event_store_identity (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        identity  uuid    NOT NULL
      );
      INSERT INTO event_store_identity (identity) VALUES (gen_random_uuid());
    `,
  },
];

/** The unique constraints whose violation means another writer got there first: the append is decided again. */
export const RACE_CONSTRAINTS: ReadonlySet<string> = new Set(['events_stream_revision_key', 'events_stream_event_id_key']);
