import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiRequest } from '../api-request';
import { ProblemException } from '../problem-details';
import { RATE_LIMITER, RateLimiter } from './rate-limiter';

/**
 * Per-token rate limit (RATE_LIMIT_PER_SECOND): 429 with `Retry-After` in whole seconds.
 * Registered after the AuthGuard, so only valid tokens are counted, by their hash.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(@Inject(RATE_LIMITER) private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { tokenHash } = context.switchToHttp().getRequest<ApiRequest>();
    if (tokenHash === undefined) return true; // @Public route
    const verdict = await this.limiter.hit(tokenHash);
    if (verdict.allowed) return true;
    throw new ProblemException('rate_limited', 'Too many requests with this token; retry after the time in Retry-After.', {
      headers: { 'Retry-After': String(Math.ceil(verdict.retryAfterMs / 1000)) },
    });
  }
}
