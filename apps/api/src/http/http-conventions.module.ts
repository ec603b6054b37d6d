import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import Redis from 'ioredis';
import { Clock } from '@payments/domain';
import { CLOCK, REDIS, SETTINGS, Settings } from '@payments/orchestration';
import { AuthGuard } from './auth.guard';
import { IDEMPOTENCY_STORE, IdempotencyStore } from './idempotency/idempotency-store';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency-store';
import { SqliteIdempotencyStore } from './idempotency/sqlite-idempotency-store';
import { ProblemDetailsFilter } from './problem-details.filter';
import { RequestBodyGuard } from './request-body.guard';
import { InProcessRateLimiter } from './rate-limit/in-process-rate-limiter';
import { RATE_LIMITER } from './rate-limit/rate-limiter';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
import { RequestValidationPipe } from './request-validation.pipe';

/**
 * API conventions of every endpoint (API.md "Conventions"): auth, rate limits, idempotency,
 * validation and problem details. Rate-limit counters and idempotency records live in Redis
 * when REDIS_URL is set; else the counters are in the process and the records in
 * `DATA_DIR/idempotency.db`. TOKEN_RESOLVER must come from a global module. The limits on
 * failed payments against card testing (CardTestingLimitsModule, beside it in AppModule) use the same rate limiter.
 */
@Module({
  providers: [
    {
      provide: RATE_LIMITER,
      inject: [REDIS, SETTINGS, CLOCK],
      useFactory: (redis: Redis | null, settings: Settings, clock: Clock) =>
        redis ? new RedisRateLimiter(redis, settings.rateLimitPerSecond, clock) : new InProcessRateLimiter(settings.rateLimitPerSecond, clock),
    },
    {
      provide: IDEMPOTENCY_STORE,
      inject: [REDIS, SETTINGS],
      useFactory: (redis: Redis | null, settings: Settings) => (redis ? new RedisIdempotencyStore(redis) : new SqliteIdempotencyStore(settings.dataDir)),
    },
    // Guards run in this order: the rate limit counts only authenticated tokens.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: RequestBodyGuard },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class HttpConventionsModule implements OnApplicationShutdown {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore) {}

  /** After the HTTP server has closed, so no request is still settling its claim. */
  async onApplicationShutdown(): Promise<void> {
    await this.idempotency.close();
  }
}
