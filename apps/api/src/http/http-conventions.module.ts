import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Clock } from '@payments/domain';
import { CLOCK, POSTGRES, REDIS, SETTINGS, Settings } from '@payments/orchestration';
import { AuthGuard } from './auth.guard';
import { IDEMPOTENCY_STORE, IdempotencyStore } from './idempotency/idempotency-store';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { PostgresIdempotencyStore } from './idempotency/postgres-idempotency-store';
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
 * when REDIS_URL is set. Without it, idempotency records are shared on PostgreSQL when
 * POSTGRES_URL is set, else kept in `DATA_DIR/idempotency.db`, and the per-second counters are in
 * the process, also beside PostgreSQL: sharing them there would add a round trip to the database
 * to every request, and the pool's connections to the payments' own writes, for a limit against
 * bursts of one token that each process still enforces on what it receives (with N processes a
 * token gets up to N times RATE_LIMIT_PER_SECOND; Redis makes it one fleet-wide limit).
 * TOKEN_RESOLVER must come from a global module. The limits on failed payments against card
 * testing (CardTestingLimitsModule, beside it in AppModule) are shared on PostgreSQL too.
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
      inject: [REDIS, POSTGRES, SETTINGS],
      useFactory: (redis: Redis | null, postgres: Pool | null, settings: Settings): IdempotencyStore | Promise<IdempotencyStore> => {
        if (redis) return new RedisIdempotencyStore(redis);
        return postgres ? PostgresIdempotencyStore.open(postgres) : new SqliteIdempotencyStore(settings.dataDir);
      },
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
