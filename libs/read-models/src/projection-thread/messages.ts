/** What the service and its projection thread tell each other (projection-thread.ts, projection-thread-host.ts). */

export interface ProjectionGroupSettings {
  /** The events file (and the read-models file without Redis or PostgreSQL) live here. */
  dataDir: string;
  /** Read models in Redis, as the service's REDIS_URL and REDIS_KEY_PREFIX say. */
  redis: { url: string; keyPrefix: string } | null;
  /** Otherwise in PostgreSQL, as the service's POSTGRES_URL says; both null: the SQLite file. */
  postgres: { url: string } | null;
}

export type ToProjectionThread =
  | { kind: 'start'; group: number; settings: ProjectionGroupSettings }
  /** The service appended: followers of the log read on now instead of at their next poll. */
  | { kind: 'appended'; group: number }
  | { kind: 'stop'; group: number };

export interface ProjectionProgress {
  projection: string;
  position: bigint | undefined;
  lag: bigint;
}

export type FromProjectionThread =
  | { kind: 'progress'; group: number; progress: ProjectionProgress[] }
  | { kind: 'failed'; group: number; projection: string; error: string }
  /** The group's stores would not open: nothing of it runs until the service starts it again. */
  | { kind: 'not-started'; group: number; error: string }
  | { kind: 'stopped'; group: number };
