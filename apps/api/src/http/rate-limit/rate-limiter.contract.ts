import { randomUUID } from 'node:crypto';
import { Clock } from '@payments/domain';
import { RateLimiter } from './rate-limiter';

/** A clock the test moves by hand, so that window boundaries fall where the test says. */
class ManualClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

/** The behaviour every RateLimiter adapter shares; `make` builds one with the given limit, clock and window (default one second). */
export function rateLimiterContract(make: (limit: number, clock: Clock, windowMs?: number) => RateLimiter | Promise<RateLimiter>): void {
  const SECOND_START = Date.UTC(2030, 0, 1, 12, 0, 0);
  let clock: ManualClock;
  let key: string;

  beforeEach(() => {
    clock = new ManualClock(SECOND_START + 250);
    key = randomUUID();
  });

  it('allows as many hits as the limit within one second, then denies', async () => {
    const limiter = await make(3, clock);
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await limiter.hit(key)).allowed);
    expect(verdicts).toEqual([true, true, true, false]);
  });

  it('tells a denied caller how long until the window ends', async () => {
    const limiter = await make(1, clock);
    await limiter.hit(key);
    clock.ms = SECOND_START + 400;
    expect(await limiter.hit(key)).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('allows again when the next second starts', async () => {
    const limiter = await make(1, clock);
    await limiter.hit(key);
    expect((await limiter.hit(key)).allowed).toBe(false);
    clock.ms = SECOND_START + 1000;
    expect((await limiter.hit(key)).allowed).toBe(true);
  });

  it('counts each key on its own', async () => {
    const limiter = await make(1, clock);
    await limiter.hit(key);
    expect((await limiter.hit(randomUUID())).allowed).toBe(true);
    expect((await limiter.hit(key)).allowed).toBe(false);
  });

  it('peeks without counting: allowed while the hits are below the limit', async () => {
    const limiter = await make(2, clock);
    expect((await limiter.peek(key)).allowed).toBe(true);
    await limiter.hit(key);
    expect((await limiter.peek(key)).allowed).toBe(true);
    expect((await limiter.peek(key)).allowed).toBe(true);
    await limiter.hit(key);
    clock.ms = SECOND_START + 400;
    expect(await limiter.peek(key)).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('counts in windows of the length it is given, aligned on the clock', async () => {
    const HOUR = 3_600_000;
    const hourStart = Date.UTC(2030, 0, 1, 12, 0, 0);
    clock.ms = hourStart + 60_000;
    const limiter = await make(1, clock, HOUR);
    await limiter.hit(key);
    clock.ms = hourStart + HOUR - 1000;
    expect(await limiter.peek(key)).toEqual({ allowed: false, retryAfterMs: 1000 });
    clock.ms = hourStart + HOUR;
    expect((await limiter.peek(key)).allowed).toBe(true);
  });

  it('counts hits that arrive together exactly once each', async () => {
    const limiter = await make(5, clock);
    const verdicts = await Promise.all(Array.from({ length: 8 }, () => limiter.hit(key)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });
}
