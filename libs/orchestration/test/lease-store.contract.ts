import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseStore } from '@payments/orchestration';

export interface OpenedLeases {
  /**
   * A store on the same leases as another process of the deployment would open it: its own pool
   * or client where the adapter has one (the in-process store answers itself, its one instance).
   */
  store(): Promise<LeaseStore>;
  /** Closes what the stores were opened on and removes every lease they stored. */
  dispose(): Promise<void>;
}

/**
 * The behaviour every LeaseStore adapter shares; each adapter's spec calls this once. Expiry is
 * shown with real waits on short leases, as the store's own clock counts them; the margins
 * (100 ms and more) stay far above the store's and the test's timing noise.
 */
export function leaseStoreContract(open: () => Promise<OpenedLeases>): void {
  let opened: OpenedLeases;
  let leases: LeaseStore;
  const LONG = 60_000;

  beforeEach(async () => {
    opened = await open();
    leases = await opened.store();
  });

  afterEach(async () => {
    await opened.dispose();
  });

  it('gives a free lease to the first holder that asks', async () => {
    expect(await leases.acquire('saga:p1', 'process-a', LONG)).toBe(true);
  });

  it('refuses a held lease to another holder, in another process too', async () => {
    const other = await opened.store();
    await leases.acquire('saga:p1', 'process-a', LONG);

    expect(await leases.acquire('saga:p1', 'process-b', LONG)).toBe(false);
    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(false);
  });

  it('renews a lease for its holder, keeping it past its first ttl', async () => {
    const other = await opened.store();
    expect(await leases.acquire('saga:p1', 'process-a', 600)).toBe(true);
    await sleep(400);
    expect(await leases.acquire('saga:p1', 'process-a', 600)).toBe(true);
    await sleep(400);

    // 800 ms after it was taken, past the first ttl, within the renewed one.
    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(false);
  });

  it('lets a lease lapse ttl after it was last taken, and then gives it to another holder', async () => {
    const other = await opened.store();
    await leases.acquire('saga:p1', 'process-a', 200);
    // Refused, so its long ttl changes nothing.
    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(false);
    await sleep(350);

    expect(await other.acquire('saga:p1', 'process-c', LONG)).toBe(true);
    // The holder that let it lapse has lost it.
    expect(await leases.acquire('saga:p1', 'process-a', LONG)).toBe(false);
  });

  it('frees a lease its holder releases, for any other holder at once', async () => {
    const other = await opened.store();
    await leases.acquire('saga:p1', 'process-a', LONG);
    await leases.release('saga:p1', 'process-a');

    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(true);
  });

  it('does nothing when another holder releases a lease', async () => {
    const other = await opened.store();
    await leases.acquire('saga:p1', 'process-a', LONG);
    await other.release('saga:p1', 'process-b');

    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(false);
    expect(await leases.acquire('saga:p1', 'process-a', LONG)).toBe(true);
  });

  it('keeps the new holder of a lapsed lease when its old holder releases it late', async () => {
    const other = await opened.store();
    await leases.acquire('saga:p1', 'process-a', 100);
    await sleep(200);
    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(true);
    await leases.release('saga:p1', 'process-a');

    expect(await leases.acquire('saga:p1', 'process-c', LONG)).toBe(false);
  });

  it('does nothing when a lease nobody holds is released', async () => {
    await leases.release('saga:p1', 'process-a');

    expect(await leases.acquire('saga:p1', 'process-b', LONG)).toBe(true);
  });

  it('keeps leases of different names apart', async () => {
    const other = await opened.store();
    await leases.acquire('saga:p1', 'process-a', LONG);

    expect(await other.acquire('saga:p2', 'process-b', LONG)).toBe(true);
    await leases.release('saga:p1', 'process-a');
    expect(await leases.acquire('saga:p2', 'process-a', LONG)).toBe(false);
    expect(await other.acquire('saga:p1', 'process-b', LONG)).toBe(true);
  });

  it('gives a free lease to exactly one of many processes asking at once', async () => {
    const processes = await Promise.all(Array.from({ length: 8 }, () => opened.store()));
    // Connections opened first, so the acquires below race each other and not the connects.
    await Promise.all(processes.map((store, index) => store.acquire(`warm-up:${index}`, `process-${index}`, LONG)));

    for (const name of ['saga:p1', 'saga:p2', 'saga:p3', 'saga:p4', 'saga:p5']) {
      const won = await Promise.all(processes.flatMap((store, index) => [store.acquire(name, `process-${index}`, LONG), store.acquire(name, `process-${index}-other`, LONG)]));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it('gives a lapsed lease to exactly one of many processes asking at once', async () => {
    const processes = await Promise.all(Array.from({ length: 8 }, () => opened.store()));
    await Promise.all(processes.map((store, index) => store.acquire(`warm-up:${index}`, `process-${index}`, LONG)));
    await leases.acquire('saga:p1', 'process-died', 100);
    await sleep(200);

    const won = await Promise.all(processes.map((store, index) => store.acquire('saga:p1', `process-${index}`, LONG)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
}
