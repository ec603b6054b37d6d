import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../../../test/support/test-postgres';
import { ClaimOutcome } from './idempotency-store';
import { idempotencyStoreContract } from './idempotency-store.contract';
import { PostgresIdempotencyStore } from './postgres-idempotency-store';

describeWithPostgres('PostgresIdempotencyStore', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresIdempotencyStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url);
    store = await PostgresIdempotencyStore.open(pool);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  idempotencyStoreContract(() => store);

  describe('shared by two processes (two pools on one database)', () => {
    let other: Pool;
    let there: PostgresIdempotencyStore;
    beforeEach(async () => {
      other = openTestPool(database.url);
      there = await PostgresIdempotencyStore.open(other);
    });
    afterEach(() => other.end());

    it('gives each key to exactly one of two processes claiming the same keys at once, the other finding it running', async () => {
      const keys = Array.from({ length: 50 }, (_, i) => `race-${i}`);
      // Each from its own end of the list, so that they meet whichever starts first.
      const claimAll = async (s: PostgresIdempotencyStore, fingerprint: string, order: string[]) => {
        const outcomes = new Map<string, ClaimOutcome>();
        await Promise.all(order.map(async (key) => outcomes.set(key, await s.claim('account:acc_stg_race', key, fingerprint, 60_000))));
        return keys.map((key) => outcomes.get(key)!);
      };
      const [here, away] = await Promise.all([claimAll(store, 'here', keys), claimAll(there, 'there', [...keys].reverse())]);

      keys.forEach((_, i) => {
        const pair = [here[i], away[i]];
        expect(pair.filter((outcome) => outcome.state === 'claimed')).toHaveLength(1);
        const winner = here[i].state === 'claimed' ? 'here' : 'there';
        expect(pair.find((outcome) => outcome.state === 'running')).toEqual({ state: 'running', fingerprint: winner });
      });
      // Both processes won some: the two met rather than one running ahead of the other throughout.
      expect(here.some(isClaimed) && away.some(isClaimed)).toBe(true);
    });

    it("replays one process's completed response to the other, and keeps it when the first process is gone", async () => {
      const claimed = await store.claim('account:acc_stg_shared', 'k', 'f1', 60_000);
      if (claimed.state !== 'claimed') throw new Error('the key should be free');
      const response = { status: 201, contentType: 'application/json; charset=utf-8', body: Buffer.from('{"id":"proc_stg_1","name":"Zoë"}') };
      await store.complete(claimed.claim, response, 60_000);

      expect(await there.claim('account:acc_stg_shared', 'k', 'f1', 60_000)).toEqual({ state: 'completed', fingerprint: 'f1', response });
    });

    it('frees a key held by a process that died once its lease ran out, for another process', async () => {
      const dying = openTestPool(database.url);
      const held = await (await PostgresIdempotencyStore.open(dying)).claim('account:acc_stg_dead', 'k', 'f1', 100);
      expect(held.state).toBe('claimed');
      await dying.end();

      expect(await there.claim('account:acc_stg_dead', 'k', 'f2', 60_000)).toEqual({ state: 'running', fingerprint: 'f1' });
      await sleep(200);
      expect((await there.claim('account:acc_stg_dead', 'k', 'f2', 60_000)).state).toBe('claimed');
    });
  });

  it('deletes expired records from the table as later keys are claimed', async () => {
    const leased = await store.claim('account:acc_stg_expiry', 'leased', 'f', 20);
    const completed = await store.claim('account:acc_stg_expiry', 'completed', 'f', 60_000);
    if (leased.state !== 'claimed' || completed.state !== 'claimed') throw new Error('the keys should be free');
    await store.complete(completed.claim, { status: 201, body: Buffer.from('{}') }, 20);
    await sleep(60);

    await store.claim('account:acc_stg_expiry', 'later', 'f', 60_000);

    const { rows } = await pool.query<{ key: string }>("SELECT key FROM idempotency_records WHERE scope = 'account:acc_stg_expiry' ORDER BY key");
    expect(rows.map((row) => row.key)).toEqual(['later']);
  });
});

const isClaimed = (outcome: ClaimOutcome) => outcome.state === 'claimed';
