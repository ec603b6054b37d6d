import Redis from 'ioredis';
import { EventStore, createEventStore } from '@payments/event-store';
import { Settings } from '@payments/orchestration/settings';
import { ReadModelStore, createReadModelStore } from '@payments/read-models';

export interface CliStores {
  events: EventStore;
  readModels: ReadModelStore;
  close(): Promise<void>;
}

/** The same stores the service would use with these settings, so a rebuild fills what the service reads. */
export function openStores(settings: Settings): CliStores {
  const events = createEventStore({ connectionString: settings.eventStoreConnectionString, dataDir: settings.dataDir });
  const redis = settings.redisUrl ? new Redis(settings.redisUrl, { keyPrefix: settings.redisKeyPrefix, maxRetriesPerRequest: 2 }) : null;
  const readModels = createReadModelStore({ redis, dataDir: settings.dataDir });
  return {
    events,
    readModels,
    async close() {
      await Promise.all([events.close(), readModels.close()]);
      await redis?.quit();
    },
  };
}
