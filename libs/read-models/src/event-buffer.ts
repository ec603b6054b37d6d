import { RecordedEvent } from '@payments/event-store';

/**
 * Hands events from a feed to a runner that takes them in batches. Bounded, so that a
 * catch-up over a long log waits for the projection instead of reading the log into memory.
 * One producer (the feed) and one consumer (the runner).
 */
export class EventBuffer {
  private readonly events: RecordedEvent[] = [];
  private failure: { error: unknown } | undefined;
  private closed = false;
  private wakeConsumer: () => void = () => undefined;
  private wakeProducer: () => void = () => undefined;

  constructor(private readonly capacity: number) {}

  /**
   * Buffers the event, or answers a promise that resolves once there was room for it: a feed
   * handing one event to several buffers does not wait a turn per buffer that has room. Once
   * closed it drops the event, so a subscription being stopped is never left waiting for room;
   * whoever closed the buffer resumes from its checkpoint, not from what was dropped.
   */
  push(event: RecordedEvent): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.events.length < this.capacity) {
      this.events.push(event);
      this.wakeConsumer();
      return undefined;
    }
    return this.pushWhenRoom(event);
  }

  /** Up to `max` events, waiting for at least one; [] once closed; throws the producer's failure. */
  async take(max: number): Promise<RecordedEvent[]> {
    while (this.events.length === 0 && !this.closed && !this.failure) {
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
    if (this.failure) throw this.failure.error;
    if (this.closed) return [];
    const batch = this.events.splice(0, max);
    this.wakeProducer();
    return batch;
  }

  private async pushWhenRoom(event: RecordedEvent): Promise<void> {
    while (this.events.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.closed) return;
    this.events.push(event);
    this.wakeConsumer();
  }

  fail(error: unknown): void {
    this.failure = { error };
    this.wakeConsumer();
  }

  close(): void {
    this.closed = true;
    this.wakeConsumer();
    this.wakeProducer();
  }
}
