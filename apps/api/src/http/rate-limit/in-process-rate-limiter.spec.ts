import { InProcessRateLimiter } from './in-process-rate-limiter';
import { rateLimiterContract } from './rate-limiter.contract';

describe('InProcessRateLimiter', () => {
  rateLimiterContract((limit, clock, windowMs) => new InProcessRateLimiter(limit, clock, windowMs));
});
