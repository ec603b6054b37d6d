interface Waiter {
  position: bigint;
  settle(reached: boolean): void;
}

/** How far a read model is applied, and the callers waiting for it to reach a position. */
export class AppliedPosition {
  private reached: bigint | undefined;
  private readonly waiters = new Set<Waiter>();

  /** Global position of the last event reflected in the read model; undefined before any. */
  get position(): bigint | undefined {
    return this.reached;
  }

  /** Sets the position (it may move back, to a reloaded checkpoint) and wakes the waiters it reaches. */
  set(position: bigint | undefined): void {
    this.reached = position;
    if (position === undefined) return;
    for (const waiter of this.waiters) if (waiter.position <= position) waiter.settle(true);
  }

  /** True once every event up to `position` is reflected in the read model; false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.reached !== undefined && this.reached >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        settle: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
