import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store';

const LEASE = 60_000;
const TTL = 60_000;
/** Leases and TTLs that run out while the test waits. */
const SHORT = 50;
const PAST_SHORT = 120;

const created: StoredResponse = {
  status: 201,
  contentType: 'application/json; charset=utf-8',
  body: Buffer.from('{"id":"acc_stg_1","name":"Zoë"}'),
};

/** The behaviour every IdempotencyStore adapter shares. */
export function idempotencyStoreContract(store: () => IdempotencyStore): void {
  let scope: string;
  let key: string;

  beforeEach(() => {
    scope = `account:acc_stg_${randomUUID().replace(/-/g, '')}`;
    key = `key ${randomUUID()}`;
  });

  async function claimed(fingerprint = 'f1', leaseMs = LEASE, s = scope, k = key): Promise<IdempotencyClaim> {
    const outcome = await store().claim(s, k, fingerprint, leaseMs);
    if (outcome.state !== 'claimed') throw new Error(`expected to claim ${k}, found it ${outcome.state}`);
    return outcome.claim;
  }

  it('lets the first request claim a new key', async () => {
    const claim = await claimed('f1');
    expect(claim).toMatchObject({ scope, key, fingerprint: 'f1' });
  });

  it('reports a claimed key as running, with the fingerprint of the request that claimed it', async () => {
    await claimed('f1');
    expect(await store().claim(scope, key, 'f2', LEASE)).toEqual({ state: 'running', fingerprint: 'f1' });
  });

  it('replays a completed response with its status, content type and exact bytes', async () => {
    const claim = await claimed('f1');
    const binary: StoredResponse = { status: 404, contentType: 'application/problem+json', body: Buffer.from([0, 255, 10, 13, 0xe2, 0x82]) };
    await store().complete(claim, binary, TTL);
    const outcome = await store().claim(scope, key, 'f1', LEASE);
    expect(outcome).toEqual({ state: 'completed', fingerprint: 'f1', response: binary });
  });

  it('keeps a response without a content type', async () => {
    const claim = await claimed();
    await store().complete(claim, { status: 204, body: Buffer.alloc(0) }, TTL);
    const outcome = await store().claim(scope, key, 'f1', LEASE);
    expect(outcome).toMatchObject({ state: 'completed', response: { status: 204, body: Buffer.alloc(0) } });
    expect(outcome.state === 'completed' && outcome.response.contentType).toBeUndefined();
  });

  it('frees a released key for the next request', async () => {
    await store().release(await claimed('f1'));
    expect((await store().claim(scope, key, 'f2', LEASE)).state).toBe('claimed');
  });

  it('frees a key whose claim outlived its lease', async () => {
    await claimed('f1', SHORT);
    await sleep(PAST_SHORT);
    expect((await store().claim(scope, key, 'f2', LEASE)).state).toBe('claimed');
  });

  it('forgets a completed response after its time to live', async () => {
    const claim = await claimed();
    await store().complete(claim, created, SHORT);
    await sleep(PAST_SHORT);
    expect((await store().claim(scope, key, 'f1', LEASE)).state).toBe('claimed');
  });

  it('does not let a claim that lost its lease complete over its successor', async () => {
    const stale = await claimed('f1', SHORT);
    await sleep(PAST_SHORT);
    await claimed('f1');
    await store().complete(stale, created, TTL);
    expect(await store().claim(scope, key, 'f1', LEASE)).toEqual({ state: 'running', fingerprint: 'f1' });
  });

  it('does not let a claim that lost its lease release its successor', async () => {
    const stale = await claimed('f1', SHORT);
    await sleep(PAST_SHORT);
    await claimed('f2');
    await store().release(stale);
    expect(await store().claim(scope, key, 'f3', LEASE)).toEqual({ state: 'running', fingerprint: 'f2' });
  });

  it('does not let a release undo a completion', async () => {
    const claim = await claimed();
    await store().complete(claim, created, TTL);
    await store().release(claim);
    expect((await store().claim(scope, key, 'f1', LEASE)).state).toBe('completed');
  });

  it('keeps the same key apart in different scopes', async () => {
    await claimed('f1', LEASE, scope, key);
    expect((await store().claim('admin:other', key, 'f1', LEASE)).state).toBe('claimed');
  });

  it('gives a key to exactly one of several simultaneous requests', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => store().claim(scope, key, `f${i}`, LEASE)));
    expect(outcomes.filter((o) => o.state === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.state === 'running')).toHaveLength(9);
  });
}
