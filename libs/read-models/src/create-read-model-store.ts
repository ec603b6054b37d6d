import Redis from 'ioredis';
import { Pool } from 'pg';
import { PostgresReadModelStore } from './postgres-read-model-store';
import { ReadModelStore } from './read-model-store';
import { RedisReadModelStore } from './redis-read-model-store';
import { SqliteReadModelStore } from './sqlite-read-model-store';

export interface ReadModelStoreOptions {
  /** The service's Redis client (REDIS_URL), when there is one: then the read models live there. */
  redis: Redis | null;
  /** Otherwise the service's PostgreSQL pool (POSTGRES_URL), when there is one. */
  postgres?: Pool | null;
  /** Otherwise `<dataDir>/read-models.db`. */
  dataDir: string;
}

/** Chooses the adapter from the settings, as the service and the CLI must agree on it. */
export function createReadModelStore(options: ReadModelStoreOptions): ReadModelStore {
  if (options.redis) return new RedisReadModelStore(options.redis);
  if (options.postgres) return new PostgresReadModelStore(options.postgres);
  return new SqliteReadModelStore({ dataDir: options.dataDir });
}
