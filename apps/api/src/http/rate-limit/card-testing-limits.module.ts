import { Global, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Clock } from '@payments/domain';
import { CARD_TESTING_REFUSALS, CLOCK, FAILED_PAYMENT_COUNTERS, POSTGRES, REDIS, SETTINGS, Settings } from '@payments/orchestration';
import { MetricsService } from '../../ops/metrics.service';
import { CardTestingRefusalCounts, InProcessRefusalTally, RedisRefusalTally, RefusalTally } from './card-testing-refusal-counts';
import { FAILED_PAYMENTS_WINDOW_MS, RateLimitedFailedPayments } from './failed-payment-counters';
import { InProcessRateLimiter } from './in-process-rate-limiter';
import { PostgresRateLimiter } from './postgres-rate-limiter';
import { PostgresRefusalTally } from './postgres-refusal-tally';
import { RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

/**
 * The ports of the card-testing limits that PayCheckoutSession (libs/orchestration) counts
 * through: failed payments per card and per address, and the refusals. A limit against card
 * testing holds for the deployment, not per process, so the counters are shared wherever the
 * deployment has a shared store: Redis with REDIS_URL, else PostgreSQL with POSTGRES_URL (a round
 * trip per public pay and per failed payment, not per request), else in the one process.
 * Global, so the payments module finds them.
 */
@Global()
@Module({
  providers: [
    {
      provide: FAILED_PAYMENT_COUNTERS,
      inject: [REDIS, POSTGRES, SETTINGS, CLOCK],
      useFactory: async (redis: Redis | null, postgres: Pool | null, settings: Settings, clock: Clock) => {
        const limiter = async (limit: number): Promise<RateLimiter> => {
          if (redis) return new RedisRateLimiter(redis, limit, clock, FAILED_PAYMENTS_WINDOW_MS);
          if (postgres) return PostgresRateLimiter.open(postgres, limit, clock, FAILED_PAYMENTS_WINDOW_MS);
          return new InProcessRateLimiter(limit, clock, FAILED_PAYMENTS_WINDOW_MS);
        };
        return new RateLimitedFailedPayments(await limiter(settings.cardFailedPaymentsPerHour), await limiter(settings.addressFailedPaymentsPerHour));
      },
    },
    {
      provide: CardTestingRefusalCounts,
      inject: [MetricsService, REDIS, POSTGRES],
      useFactory: async (metrics: MetricsService, redis: Redis | null, postgres: Pool | null) => {
        const tally: RefusalTally = redis ? new RedisRefusalTally(redis) : postgres ? await PostgresRefusalTally.open(postgres) : new InProcessRefusalTally();
        return new CardTestingRefusalCounts(metrics, tally);
      },
    },
    { provide: CARD_TESTING_REFUSALS, useExisting: CardTestingRefusalCounts },
  ],
  exports: [FAILED_PAYMENT_COUNTERS, CARD_TESTING_REFUSALS, CardTestingRefusalCounts],
})
export class CardTestingLimitsModule {}
