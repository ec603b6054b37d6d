import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Clock } from '@payments/domain';
import { EventStore, createEventStore } from '@payments/event-store';
import { redisReconnectDelay } from '@payments/read-models';
import { AggregateCache } from './command-handling/aggregate-cache';
import { LeaseKeeper } from './leases/lease-keeper';
import { LeasesModule } from './leases/leases.module';
import { RandomIdGenerator, systemClock } from './random-ids';
import { SEALED_SECRETS, sealedSecretsOf } from './secrets/sealed-secrets';
import { Settings } from './settings';
import { CLOCK, EVENT_STORE, ID_GENERATOR, POSTGRES, REDIS, SETTINGS } from './tokens';

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
      // LEASE_STORE, chosen from POSTGRES and REDIS below, for every app that has these ports.
      imports: [LeasesModule],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: POSTGRES, useFactory: () => (settings.postgresUrl ? connectPostgres(settings.postgresUrl) : null) },
        {
          provide: EVENT_STORE,
          inject: [POSTGRES],
          useFactory: (postgres: Pool | null) =>
            createEventStore({ connectionString: settings.eventStoreConnectionString, postgres, dataDir: settings.dataDir }),
        },
        { provide: CLOCK, useValue: systemClock },
        // One per application, shared by every module's CommandRunner, since it caches this app's store.
        { provide: AggregateCache, useValue: new AggregateCache() },
        // One holder per application: every competing consumer of this app takes its leases through it.
        LeaseKeeper,
        { provide: ID_GENERATOR, useValue: new RandomIdGenerator(settings.env) },
        // Its onModuleInit checks the keys against the store's: a wrong key stops start-up.
        { provide: SEALED_SECRETS, inject: [EVENT_STORE, CLOCK], useFactory: (store: EventStore, clock: Clock) => sealedSecretsOf(settings, store, clock) },
        {
          provide: REDIS,
          useFactory: () => (settings.redisUrl ? connectRedis(settings.redisUrl, settings.redisKeyPrefix) : null),
        },
      ],
      exports: [SETTINGS, EVENT_STORE, CLOCK, ID_GENERATOR, REDIS, POSTGRES, AggregateCache, SEALED_SECRETS, LeaseKeeper],
    };
  }

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(POSTGRES) private readonly postgres: Pool | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    // quit() waits for a reply that never comes while Redis is unreachable.
    if (this.redis?.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis?.disconnect();
    // Last: the stores above may still be finishing their queries on it.
    await this.postgres?.end();
  }
}

/**
 * One pool per process for every adapter on PostgreSQL. An idle client whose connection the
 * server ends (a restart, a failover) is reported here once per kind and replaced by the pool on
 * the next query, instead of an unhandled 'error' event stopping the process.
 */
function connectPostgres(url: string): Pool {
  const logger = new Logger('PostgreSQL');
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  let lastError: string | undefined;
  pool.on('error', (error: Error & { code?: string }) => {
    const kind = error.code ?? error.message;
    if (kind !== lastError) logger.warn(`PostgreSQL connection problem: ${kind} (${error.message})`);
    lastError = kind;
  });
  pool.on('connect', () => {
    lastError = undefined;
  });
  return pool;
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
