import Redis from 'ioredis';
import { Pool } from 'pg';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
// The adapters' own modules: the package index also loads the EventStoreDB client, which adds
// half a second to every command that does not use it.
import { EventStore } from '@payments/event-store/event-store';
import { SqliteEventStore } from '@payments/event-store/sqlite-event-store';
import { eventsDatabaseFile, openEventsDatabaseReadOnly } from '@payments/event-store/sqlite-events-database';
import { Settings } from '@payments/orchestration/settings';
import { PostgresReadModelStore } from '@payments/read-models/postgres-read-model-store';
import { ReadModelStore } from '@payments/read-models/read-model-store';
import { RedisReadModelStore } from '@payments/read-models/redis-read-model-store';
import { SqliteReadModelStore } from '@payments/read-models/sqlite-read-model-store';
import { SetupError } from './output';

/** The event log, opened for reading: no command of the CLI appends. */
export interface EventLog {
  events: EventStore;
  /** Where the log is, for the operator: a file or a server. */
  where: string;
  /** The position of the last event now, for a progress bar's 100 %; undefined when the store cannot tell. */
  head(): bigint | undefined;
  close(): Promise<void>;
}

/**
 * The service's log as its settings name it. The embedded file is opened read-only, so the
 * commands read it while the service writes (WAL) and never create one: pointed at a DATA_DIR
 * that holds no store, they say so.
 */
export async function openEventLog(settings: Settings): Promise<EventLog> {
  if (settings.eventStoreConnectionString) {
    const { EventStoreDbEventStore } = await import('@payments/event-store/eventstoredb-event-store');
    const events = new EventStoreDbEventStore({ connectionString: settings.eventStoreConnectionString });
    return { events, where: 'EventStoreDB (EVENTSTORE_CONNECTION_STRING)', head: () => undefined, close: () => events.close() };
  }
  if (settings.postgresUrl) {
    const pool = await connectPostgres(settings.postgresUrl);
    // As the service chooses (createEventStore); its module also loads the EventStoreDB client, so only this branch loads it.
    const { createEventStore } = await import('@payments/event-store/create-event-store');
    const events = createEventStore({ postgres: pool, dataDir: settings.dataDir });
    return {
      events,
      where: 'PostgreSQL (POSTGRES_URL)',
      head: () => undefined,
      async close() {
        try {
          await events.close();
        } finally {
          await pool.end();
        }
      },
    };
  }
  const file = eventsDatabaseFile(settings.dataDir);
  if (!existsSync(file)) {
    throw new SetupError(`no event store in DATA_DIR ${resolve(settings.dataDir)}: ${file} does not exist. Point DATA_DIR at the service's data directory.`);
  }
  const events = new SqliteEventStore({ dataDir: settings.dataDir, readOnly: true });
  return {
    events,
    where: resolve(file),
    head() {
      const db = openEventsDatabaseReadOnly(settings.dataDir);
      try {
        return (db.prepare('SELECT max(position) FROM events').pluck().safeIntegers(true).get() as bigint | null) ?? undefined;
      } finally {
        db.close();
      }
    },
    close: () => events.close(),
  };
}

export interface ReadModels {
  readModels: ReadModelStore;
  where: string;
  close(): Promise<void>;
}

/**
 * The read-model store the service uses with the same settings (Redis with REDIS_URL, else
 * PostgreSQL with POSTGRES_URL, else the SQLite file beside the events, as createReadModelStore
 * chooses),
 * so that a rebuild replaces what the service serves. The
 * SQLite writes run in the writer thread, on a connection tuned for a rebuild's large commits,
 * so that a rebuild projects its next batch while the last one commits.
 */
export async function openReadModels(settings: Settings): Promise<ReadModels> {
  if (settings.redisUrl) {
    const redis = await connectRedis(settings.redisUrl, settings.redisKeyPrefix);
    return {
      readModels: new RedisReadModelStore(redis),
      where: `Redis (REDIS_URL), keys under ${settings.redisKeyPrefix}rm:`,
      async close() {
        await redis.quit();
      },
    };
  }
  if (settings.postgresUrl) {
    const pool = await connectPostgres(settings.postgresUrl);
    return { readModels: new PostgresReadModelStore(pool), where: 'PostgreSQL (POSTGRES_URL), tables read_model_*', close: () => pool.end() };
  }
  const readModels = new SqliteReadModelStore({ dataDir: settings.dataDir, largeCommits: true });
  return { readModels, where: resolve(join(settings.dataDir, 'read-models.db')), close: () => readModels.close() };
}

/**
 * A Redis connection for one command, answering before it is used: a command that cannot reach
 * Redis says so at once instead of retrying in the background. Its errors after that are the
 * command's (each call rejects), so the client's own error events are not printed twice.
 */
export async function connectRedis(url: string, keyPrefix: string): Promise<Redis> {
  const redis = new Redis(url, { keyPrefix, maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new SetupError(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
  }
}

/** A PostgreSQL pool for one command, answering before it is used, as connectRedis does (and for the same reasons). */
export async function connectPostgres(url: string): Promise<Pool> {
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end();
    throw new SetupError(`cannot reach PostgreSQL at POSTGRES_URL: ${(error as Error).message}`);
  }
}
