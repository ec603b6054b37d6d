import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Clock } from '@payments/domain';
import { CLOCK, POSTGRES, REDIS } from '../tokens';
import { InProcessLeaseStore } from './in-process-lease-store';
import { LEASE_STORE, LeaseStore } from './lease-store';
import { PostgresLeaseStore } from './postgres-lease-store';
import { RedisLeaseStore } from './redis-lease-store';

/**
 * The lease store the deployment's processes share: lease rows on PostgreSQL when it has one,
 * else keys on Redis, else the one process's own leases. Global, so the saga, the resolver, the
 * webhook dispatcher and the projections inject LEASE_STORE; needs InfrastructureModule's
 * POSTGRES, REDIS and CLOCK.
 */
@Global()
@Module({
  providers: [
    {
      provide: LEASE_STORE,
      inject: [POSTGRES, REDIS, CLOCK],
      useFactory: (postgres: Pool | null, redis: Redis | null, clock: Clock): LeaseStore | Promise<LeaseStore> => {
        if (postgres) return PostgresLeaseStore.open(postgres);
        if (redis) return new RedisLeaseStore(redis);
        return new InProcessLeaseStore(clock);
      },
    },
  ],
  exports: [LEASE_STORE],
})
export class LeasesModule implements OnApplicationShutdown {
  constructor(@Inject(LEASE_STORE) private readonly leases: LeaseStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.leases.close();
  }
}
