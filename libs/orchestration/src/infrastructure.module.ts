import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '@payments/domain';
import { EventStore, createEventStore } from '@payments/event-store';
import { redisReconnectDelay } from '@payments/read-models';
import { AggregateCache } from './command-handling/aggregate-cache';
import { RandomIdGenerator, systemClock } from './random-ids';
import { SEALED_SECRETS, sealedSecretsOf } from './secrets/sealed-secrets';
import { Settings } from './settings';
import { CLOCK, EVENT_STORE, ID_GENERATOR, REDIS, SETTINGS } from './tokens';

/**
 * The ports every module needs, with the adapters the settings choose, and the aggregate cache.
 * Global so feature modules inject EVENT_STORE etc. without importing this module again.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  static forSettings(settings: Settings) {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: EVENT_STORE, useFactory: () => createEventStore({ connectionString: settings.eventStoreConnectionString, dataDir: settings.dataDir }) },
        { provide: CLOCK, useValue: systemClock },
        // One per application, shared by every module's CommandRunner, since it caches this app's store.
        { provide: AggregateCache, useValue: new AggregateCache() },
        { provide: ID_GENERATOR, useValue: new RandomIdGenerator(settings.env) },
        // Its onModuleInit checks the keys against the store's: a wrong key stops start-up.
        { provide: SEALED_SECRETS, inject: [EVENT_STORE, CLOCK], useFactory: (store: EventStore, clock: Clock) => sealedSecretsOf(settings, store, clock) },
        {
          provide: REDIS,
          useFactory: () => (settings.redisUrl ? connectRedis(settings.redisUrl, settings.redisKeyPrefix) : null),
        },
      ],
      exports: [SETTINGS, EVENT_STORE, CLOCK, ID_GENERATOR, REDIS, AggregateCache, SEALED_SECRETS],
    };
  }

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    // quit() waits for a reply that never comes while Redis is unreachable.
    if (this.redis?.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis?.disconnect();
  }
}

/**
 * The service starts while Redis is down (readiness reports it); connection errors are logged
 * once per kind instead of ioredis's unhandled-error noise on every retry.
 */
function connectRedis(url: string, keyPrefix: string): Redis {
  const logger = new Logger('Redis');
  const client = new Redis(url, { keyPrefix, maxRetriesPerRequest: 2, enableOfflineQueue: true, disconnectTimeout: 200, retryStrategy: redisReconnectDelay });
  let lastError: string | undefined;
  client.on('error', (error: Error & { code?: string }) => {
    const kind = error.code ?? error.message;
    if (kind !== lastError) logger.warn(`Redis connection problem: ${kind}`);
    lastError = kind;
  });
  client.on('ready', () => {
    if (lastError) logger.log('Redis connection restored');
    lastError = undefined;
  });
  return client;
}
