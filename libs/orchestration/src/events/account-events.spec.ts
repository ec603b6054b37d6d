import { MemoryEventStore, RecordedEvent, randomEventId } from '@payments/event-store';
import { AccountEvents, readAccountEvents } from './account-events';

/** Appends one event of `type` for `account` (undefined: an event that names no account). */
async function append(store: MemoryEventStore, account: string | undefined, type = 'ProductCreated'): Promise<bigint> {
  const metadata = account === undefined ? { schema_version: 1 } : { schema_version: 1, account_id: account };
  const { position } = await store.appendToStream(`catalog-${randomEventId().replace(/-/g, '')}`, [{ id: randomEventId(), type, data: {}, metadata }], { expectedRevision: 'no_stream' });
  return position;
}

describe('reading one account out of the shared log', () => {
  let store: MemoryEventStore;
  beforeEach(() => (store = new MemoryEventStore()));
  afterEach(() => store.close());

  it('answers only the account’s events, in global order, and none that names no account', async () => {
    const first = await append(store, 'acc_a');
    await append(store, 'acc_b');
    await append(store, undefined);
    const own = [first, await append(store, 'acc_a', 'PriceCreated')];

    const page = await readAccountEvents(store, { accountId: 'acc_a' }, { after: 0n, limit: 50, scanLimit: 1000 });

    expect(page.events.map((event) => event.position)).toEqual(own);
    expect(page).toMatchObject({ nextAfter: own[1], hasMore: false });
  });

  it('keeps only the types asked for', async () => {
    await append(store, 'acc_a', 'ProductCreated');
    const price = await append(store, 'acc_a', 'PriceCreated');
    const coupon = await append(store, 'acc_a', 'CouponCreated');

    const page = await readAccountEvents(store, { accountId: 'acc_a', types: ['PriceCreated', 'CouponCreated', 'NoSuchType'] }, { after: 0n, limit: 50, scanLimit: 1000 });

    expect(page.events.map((event) => event.type)).toEqual(['PriceCreated', 'CouponCreated']);
    expect(page.events.map((event) => event.position)).toEqual([price, coupon]);
  });

  it('stops at limit and resumes right after the last event answered', async () => {
    const own: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      own.push(await append(store, 'acc_a'));
      await append(store, 'acc_b');
    }

    const first = await readAccountEvents(store, { accountId: 'acc_a' }, { after: 0n, limit: 2, scanLimit: 1000 });
    const second = await readAccountEvents(store, { accountId: 'acc_a' }, { after: first.nextAfter, limit: 2, scanLimit: 1000 });
    const third = await readAccountEvents(store, { accountId: 'acc_a' }, { after: second.nextAfter, limit: 2, scanLimit: 1000 });

    expect([first, second, third].map((page) => page.events.map((event) => event.position))).toEqual([own.slice(0, 2), own.slice(2, 4), own.slice(4)]);
    expect([first.nextAfter, second.nextAfter]).toEqual([own[1], own[3]]);
    expect([first.hasMore, second.hasMore, third.hasMore]).toEqual([true, true, false]);
    // The last page examined the other account's event after it, so polling goes on from there.
    expect(third.nextAfter).toBe(own[4] + 1n);
  });

  it('examines at most scanLimit events, answering what it found and the position it reached', async () => {
    const foreign: bigint[] = [];
    for (let i = 0; i < 7; i++) foreign.push(await append(store, 'acc_b'));
    const own = await append(store, 'acc_a');

    const first = await readAccountEvents(store, { accountId: 'acc_a' }, { after: 0n, limit: 50, scanLimit: 3 });
    const second = await readAccountEvents(store, { accountId: 'acc_a' }, { after: first.nextAfter, limit: 50, scanLimit: 3 });
    const third = await readAccountEvents(store, { accountId: 'acc_a' }, { after: second.nextAfter, limit: 50, scanLimit: 3 });

    expect([first, second].map(({ events, nextAfter, hasMore }) => ({ events, nextAfter, hasMore }))).toEqual([
      { events: [], nextAfter: foreign[2], hasMore: true },
      { events: [], nextAfter: foreign[5], hasMore: true },
    ]);
    expect(third.events.map((event) => event.position)).toEqual([own]);
  });

  it('answers the cursor itself as next_after when nothing follows it', async () => {
    const last = await append(store, 'acc_b');
    expect(await readAccountEvents(store, { accountId: 'acc_a' }, { after: last, limit: 50, scanLimit: 1000 })).toEqual({ events: [], nextAfter: last, hasMore: false });
    expect(await readAccountEvents(store, { accountId: 'acc_a' }, { after: last + 10n, limit: 50, scanLimit: 1000 })).toEqual({ events: [], nextAfter: last + 10n, hasMore: false });
  });
});

describe('following one account live', () => {
  it('delivers the account’s events after the resume position, then new ones, and nothing of another account', async () => {
    const store = new MemoryEventStore();
    const seen = await append(store, 'acc_a', 'PriceCreated');
    const delivered: RecordedEvent[] = [];
    const subscription = new AccountEvents(store).follow({ accountId: 'acc_a', types: ['PriceCreated'] }, { after: seen, onEvent: (event) => void delivered.push(event), onError: (error) => fail(error) });

    const live = await append(store, 'acc_a', 'PriceCreated');
    await append(store, 'acc_b', 'PriceCreated');
    await append(store, 'acc_a', 'ProductCreated');
    const last = await append(store, 'acc_a', 'PriceCreated');
    while (delivered.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await subscription.stop();
    await store.close();

    expect(delivered.map((event) => event.position)).toEqual([live, last]);
  });
});
