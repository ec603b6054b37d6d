/**
 * ioredis's pause before each reconnection try. Its default grows to 2 s, and a command waits
 * for `maxRetriesPerRequest` tries before it fails, so with Redis down every request took 4–6 s to
 * answer 503, and start-up and shutdown, which read and write through it, took tens of seconds.
 * Capped at 250 ms, a command fails within about half a second and a Redis that returns is found
 * as soon.
 */
export function redisReconnectDelay(tries: number): number {
  return Math.min(tries * 50, 250);
}
