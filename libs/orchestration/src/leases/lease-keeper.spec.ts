import { setTimeout as sleep } from 'node:timers/promises';
import { loadSettings } from '../settings';
import { InProcessLeaseStore } from './in-process-lease-store';
import { LeaseKeeper, LeaseMetrics, aborted } from './lease-keeper';
import { LeaseStore } from './lease-store';
import { Reachable } from '../../test/reachable-lease-store';

const TTL_MS = 150;


class CountedMetrics implements LeaseMetrics {
  readonly counts: string[] = [];
  recordLeaseFailure(operation: string): void {
    this.counts.push(`failure:${operation}`);
  }
  recordLeaseLost(): void {
    this.counts.push('lost');
  }
}

describe('LeaseKeeper', () => {
  let now: number;
  let shared: InProcessLeaseStore;
  const settings = loadSettings({ LEASE_TTL: `${TTL_MS}ms` });

  beforeEach(() => {
    now = Date.now();
    shared = new InProcessLeaseStore({ now: () => new Date(now) });
  });

  /** A process of the deployment: its keeper, on its own connection to the shared store. */
  const processOf = (metrics?: LeaseMetrics) => {
    const reach = new Reachable(shared);
    return { keeper: new LeaseKeeper(reach, settings, metrics), reach };
  };

  it('gives each process a holder of its own', () => {
    expect(processOf().keeper.holder).not.toBe(processOf().keeper.holder);
  });

  it('runs the work while holding the lease, and gives it up after, so another process takes it at once', async () => {
    const one = processOf();
    const two = processOf();
    let heldMeanwhile: boolean | undefined;

    const outcome = await one.keeper.hold('payment:p1', async () => {
      heldMeanwhile = await two.keeper.acquire('payment:p1');
      return 'done';
    });

    expect(outcome).toEqual({ held: true, value: 'done' });
    expect(heldMeanwhile).toBe(false);
    expect(await two.keeper.acquire('payment:p1')).toBe(true);
  });

  it('gives the lease up for good when the work ends while a renewal is under way', async () => {
    const one = processOf();
    const two = processOf();
    const acquire = one.reach.acquire.bind(one.reach);
    // Renewals reach the store late, as on a slow network.
    let renewals = 0;
    one.reach.acquire = async (...args) => (renewals++ > 0 ? (await sleep(40), acquire(...args)) : acquire(...args));

    await one.keeper.hold('payment:p1', () => sleep(one.keeper.renewEveryMs + 10));
    // Past when the late renewal reached the store.
    await sleep(60);

    expect(renewals).toBe(2);
    expect(await two.keeper.acquire('payment:p1')).toBe(true);
  });

  it('does not run the work while another process holds the lease', async () => {
    const one = processOf();
    const two = processOf();
    await one.keeper.acquire('payment:p1');
    const work = jest.fn(async () => undefined);

    expect(await two.keeper.hold('payment:p1', work)).toEqual({ held: false });
    expect(work).not.toHaveBeenCalled();
  });

  it('renews the lease while the work runs longer than its time to live', async () => {
    const one = processOf();
    const two = processOf();
    const takenByTwo: boolean[] = [];

    await one.keeper.hold('payment:p1', async (signal) => {
      for (let i = 0; i < 5; i++) {
        await sleep(TTL_MS / 2);
        now = Date.now();
        takenByTwo.push(await two.keeper.acquire('payment:p1'));
      }
      expect(signal.aborted).toBe(false);
    });

    expect(takenByTwo).toEqual([false, false, false, false, false]);
  });

  it('tells the work its lease is lost once it cannot be renewed, before another process may take it, counted', async () => {
    const metrics = new CountedMetrics();
    const one = processOf(metrics);
    const two = processOf();
    let lostAfterMs: number | undefined;

    await one.keeper.hold('payment:p1', async (signal) => {
      const cutAt = performance.now();
      one.reach.cut = true;
      await aborted(signal);
      lostAfterMs = performance.now() - cutAt;
    });

    // Before its time to live is out (a timer's slack aside), but not at the first renewal that failed.
    expect(lostAfterMs).toBeGreaterThan(TTL_MS / 2);
    expect(lostAfterMs).toBeLessThan(TTL_MS);
    expect(metrics.counts).toContain('lost');
    expect(metrics.counts).toContain('failure:renew');
    now = Date.now() + TTL_MS;
    expect(await two.keeper.acquire('payment:p1')).toBe(true);
  });

  it('tells the work its lease is lost when the store says another process has it', async () => {
    const one = processOf();
    const two = processOf();

    await one.keeper.hold('payment:p1', async (signal) => {
      // One paused past its lease (the test moves the store's clock), and another took it.
      now += TTL_MS * 2;
      expect(await two.keeper.acquire('payment:p1')).toBe(true);
      await aborted(signal);
    });

    expect(await one.keeper.acquire('payment:p1')).toBe(false);
  });

  describe('a role', () => {
    it('is held by one process at a time, and taken over by another once its holder stops renewing', async () => {
      // The store's clock is the real one here: the holder must let go before the store lets the lease lapse.
      shared = new InProcessLeaseStore({ now: () => new Date() });
      const one = processOf();
      const two = processOf();
      const roleOfOne = one.keeper.role('webhooks');
      const roleOfTwo = two.keeper.role('webhooks');
      roleOfOne.start();
      await sleep(10);
      roleOfTwo.start();
      try {
        await sleep(TTL_MS);
        expect([roleOfOne.held, roleOfTwo.held]).toEqual([true, false]);

        one.reach.cut = true;
        const seen: [boolean, boolean][] = [];
        const deadline = Date.now() + TTL_MS * 4;
        while (!roleOfTwo.held && Date.now() < deadline) {
          seen.push([roleOfOne.held, roleOfTwo.held]);
          await new Promise(setImmediate);
        }

        expect([roleOfOne.held, roleOfTwo.held]).toEqual([false, true]);
        expect(seen.filter(([byOne, byTwo]) => byOne && byTwo)).toEqual([]);
      } finally {
        one.reach.cut = false;
        await Promise.all([roleOfOne.stop(), roleOfTwo.stop()]);
      }
    });

    it('runs its work each time it holds the lease, and gives the lease up when stopped', async () => {
      const one = processOf();
      const two = processOf();
      const runs: string[] = [];
      const role = one.keeper.role('projection:payments', async (held) => {
        runs.push('started');
        await aborted(held);
        runs.push('stopped');
      });
      role.start();
      await sleep(10);

      await role.stop();

      expect(runs).toEqual(['started', 'stopped']);
      expect(await two.keeper.acquire('projection:payments')).toBe(true);
    });
  });
});
