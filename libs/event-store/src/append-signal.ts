/**
 * Wakes caught-up subscribers after a committed append. A counter rather than a bare event:
 * a subscriber notes the count before reading its last page and only sleeps when nothing was
 * appended since, so an append that lands between that read and the wait is never slept through.
 */
export class AppendSignal {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  get appendCount(): number {
    return this.count;
  }

  notify(): void {
    this.count++;
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves once an append has been signalled after `seenCount`, when `timeoutMs` elapses
   * (polling for writers this process cannot hear) or when `abort` fires.
   */
  waitForAppend(seenCount: number, timeoutMs: number | undefined, abort: AbortSignal): Promise<void> {
    if (this.count !== seenCount || abort.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        abort.removeEventListener('abort', wake);
        if (timer) clearTimeout(timer);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
      abort.addEventListener('abort', wake);
    });
  }
}
