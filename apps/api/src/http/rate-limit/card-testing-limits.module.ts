import { Global, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '@payments/domain';
import { CARD_TESTING_REFUSALS, CLOCK, FAILED_PAYMENT_COUNTERS, REDIS, SETTINGS, Settings } from '@payments/orchestration';
import { MetricsService } from '../../ops/metrics.service';
import { CardTestingRefusalCounts } from './card-testing-refusal-counts';
import { FAILED_PAYMENTS_WINDOW_MS, RateLimitedFailedPayments } from './failed-payment-counters';
import { InProcessRateLimiter } from './in-process-rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

/**
 * The ports of the card-testing limits that PayCheckoutSession (libs/orchestration) counts
 * through: failed payments per card and per address on the rate limiter (Redis with REDIS_URL,
 * else in the process), and the refusals. Global, so the payments module finds them.
 */
@Global()
@Module({
  providers: [
    {
      provide: FAILED_PAYMENT_COUNTERS,
      inject: [REDIS, SETTINGS, CLOCK],
      useFactory: (redis: Redis | null, settings: Settings, clock: Clock) => {
        const limiter = (limit: number) =>
          redis ? new RedisRateLimiter(redis, limit, clock, FAILED_PAYMENTS_WINDOW_MS) : new InProcessRateLimiter(limit, clock, FAILED_PAYMENTS_WINDOW_MS);
        return new RateLimitedFailedPayments(limiter(settings.cardFailedPaymentsPerHour), limiter(settings.addressFailedPaymentsPerHour));
      },
    },
    {
      provide: CardTestingRefusalCounts,
      inject: [MetricsService, REDIS],
      useFactory: (metrics: MetricsService, redis: Redis | null) => new CardTestingRefusalCounts(metrics, redis),
    },
    { provide: CARD_TESTING_REFUSALS, useExisting: CardTestingRefusalCounts },
  ],
  exports: [FAILED_PAYMENT_COUNTERS, CARD_TESTING_REFUSALS, CardTestingRefusalCounts],
})
export class CardTestingLimitsModule {}
