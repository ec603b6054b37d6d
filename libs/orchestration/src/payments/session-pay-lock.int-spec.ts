import { openTestRedis } from '../../../read-models/test/test-redis';
import { InProcessSessionPayLock, PAY_LOCK_TTL_MS, RedisSessionPayLock, SessionPayLock } from './session-pay-lock';

let now = 0;
const clock = { now: () => new Date(now) };

interface OpenedLock {
  lock: SessionPayLock;
  dispose(): Promise<void>;
}

const adapters: [string, () => Promise<OpenedLock>][] = [
  ['in-process', async () => ({ lock: new InProcessSessionPayLock(clock), dispose: async () => undefined })],
  [
    'Redis',
    async () => {
      const redis = await openTestRedis();
      return { lock: new RedisSessionPayLock(redis.redis), dispose: () => redis.dispose() };
    },
  ],
];

/** The same behaviour from both adapters; the in-process one reads a clock the test moves, Redis expires keys itself. */
describe.each(adapters)('the %s session pay lock', (_, open) => {
  let lock: SessionPayLock;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    now = Date.parse('2026-11-21T10:00:00.000Z');
    ({ lock, dispose } = await open());
  });

  afterEach(() => dispose());

  it('refuses a second pay of the session while the first holds the lock', async () => {
    expect(await lock.acquire('cs_stg_1')).toBeDefined();

    expect(await lock.acquire('cs_stg_1')).toBeUndefined();
  });

  it('locks each session on its own', async () => {
    await lock.acquire('cs_stg_1');

    expect(await lock.acquire('cs_stg_2')).toBeDefined();
  });

  it('lets the next pay in once the holder releases', async () => {
    const release = await lock.acquire('cs_stg_1');
    await release!();

    expect(await lock.acquire('cs_stg_1')).toBeDefined();
  });
});

describe('a session pay lock that expired', () => {
  it('frees the session after its time to live, and the late release of its old holder does not free the new one', async () => {
    const lock = new InProcessSessionPayLock(clock);
    const stale = await lock.acquire('cs_stg_1');
    now += PAY_LOCK_TTL_MS;
    const fresh = await lock.acquire('cs_stg_1');

    await stale!();

    expect(fresh).toBeDefined();
    expect(await lock.acquire('cs_stg_1')).toBeUndefined();
  });

  it('in Redis: expires with its key, and the late release of its old holder does not free the new one', async () => {
    const redis = await openTestRedis();
    try {
      const lock = new RedisSessionPayLock(redis.redis);
      const stale = await lock.acquire('cs_stg_1');
      await redis.redis.pexpire('pay-lock:cs_stg_1', 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const fresh = await lock.acquire('cs_stg_1');

      await stale!();

      expect(fresh).toBeDefined();
      expect(await lock.acquire('cs_stg_1')).toBeUndefined();
    } finally {
      await redis.dispose();
    }
  });
});
