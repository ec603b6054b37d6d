import { parentPort } from 'node:worker_threads';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { SqliteEventStore } from '@payments/event-store';
import { describeError } from '../describe-error';
import { EventFeed } from '../event-feed';
import { PostgresReadModelStore } from '../postgres-read-model-store';
import { ProjectionRunner } from '../projection-runner';
import { allProjections } from '../projections/all-projections';
import { ReadModelStore } from '../read-model-store';
import { RedisReadModelStore } from '../redis-read-model-store';
import { redisReconnectDelay } from '../redis-reconnect';
import { SqliteReadModelStore } from '../sqlite-read-model-store';
import { FromProjectionThread, ProjectionGroupSettings, ToProjectionThread } from './messages';

/**
 * The projection thread (see projection-thread.ts): runs every projection of each group the
 * service starts, from their checkpoints, on stores of its own, and reports their progress.
 */

interface Group {
  events: SqliteEventStore;
  store: ReadModelStore;
  redis: Redis | undefined;
  /** The thread's own pool: the service's cannot cross into a worker. */
  postgres: Pool | undefined;
  runners: ProjectionRunner[];
  /** Progress is reported once per turn of the event loop, however many batches were applied in it. */
  reportScheduled: boolean;
}

const groups = new Map<number, Group>();

function post(message: FromProjectionThread): void {
  parentPort?.postMessage(message);
}

function start(id: number, settings: ProjectionGroupSettings): void {
  const events = new SqliteEventStore({ dataDir: settings.dataDir });
  const redis = settings.redis ? connectRedis(settings.redis) : undefined;
  const postgres = !redis && settings.postgres ? connectPostgres(settings.postgres) : undefined;
  let store: ReadModelStore;
  try {
    if (redis) store = new RedisReadModelStore(redis);
    else if (postgres) store = new PostgresReadModelStore(postgres);
    else store = new SqliteReadModelStore({ dataDir: settings.dataDir, writeInThisThread: true });
  } catch (error) {
    redis?.disconnect();
    void postgres?.end();
    void events.close();
    throw error;
  }
  const feed = new EventFeed(events);
  const group: Group = { events, store, redis, postgres, runners: [], reportScheduled: false };
  group.runners = allProjections.map(
    (projection) =>
      new ProjectionRunner(projection, events, store, {
        feed,
        onApplied: () => scheduleReport(id, group),
        onError: (error) => post({ kind: 'failed', group: id, projection: projection.name, error: describeError(error) }),
      }),
  );
  groups.set(id, group);
  for (const runner of group.runners) runner.start();
}

function scheduleReport(id: number, group: Group): void {
  if (group.reportScheduled) return;
  group.reportScheduled = true;
  setImmediate(() => {
    group.reportScheduled = false;
    if (groups.get(id) !== group) return;
    post({ kind: 'progress', group: id, progress: group.runners.map((runner) => ({ projection: runner.projection.name, position: runner.position, lag: runner.lag })) });
  });
}

async function stop(id: number): Promise<void> {
  const group = groups.get(id);
  groups.delete(id);
  try {
    if (!group) return;
    await Promise.all(group.runners.map((runner) => runner.stop()));
    await Promise.allSettled([group.events.close(), group.store.close()]);
    group.redis?.disconnect();
    await group.postgres?.end();
  } finally {
    post({ kind: 'stopped', group: id });
  }
}

/** Connection errors show as failing commits, which the runners report and retry. */
function connectRedis({ url, keyPrefix }: { url: string; keyPrefix: string }): Redis {
  const client = new Redis(url, { keyPrefix, maxRetriesPerRequest: 2, enableOfflineQueue: true, disconnectTimeout: 200, retryStrategy: redisReconnectDelay });
  client.on('error', () => undefined);
  return client;
}

/**
 * A small pool: the runners take turns on it, each committing one batch at a time. A connection the server ends shows as a
 * failing commit, which the runner reports and retries; the idle client's own error event is
 * not reported twice.
 */
function connectPostgres({ url }: { url: string }): Pool {
  const pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  pool.on('error', () => undefined);
  return pool;
}

parentPort?.on('message', (message: ToProjectionThread) => {
  switch (message.kind) {
    case 'start':
      try {
        start(message.group, message.settings);
      } catch (error) {
        post({ kind: 'not-started', group: message.group, error: describeError(error) });
      }
      return;
    case 'appended':
      groups.get(message.group)?.events.appends.notify();
      return;
    case 'stop':
      void stop(message.group);
      return;
  }
});
