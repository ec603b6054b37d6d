import { SubscribeToAllOptions, Subscription } from './event-store';

/** The subscriptions a store has started and not yet stopped, so that close() ends them first. */
export class OpenSubscriptions {
  private readonly open = new Set<Subscription>();

  track(subscription: Subscription): Subscription {
    this.open.add(subscription);
    return {
      stop: async () => {
        this.open.delete(subscription);
        await subscription.stop();
      },
    };
  }

  async stopAll(): Promise<void> {
    const stopping = [...this.open];
    this.open.clear();
    await Promise.all(stopping.map((subscription) => subscription.stop()));
  }
}

/**
 * Hands a failed delivery to `onError`; without one, the failure surfaces as an unhandled
 * rejection rather than being swallowed.
 */
export function reportDeliveryFailure(delivery: Promise<void>, options: Pick<SubscribeToAllOptions, 'onError'>): Promise<void> {
  return delivery.catch((error: unknown) => {
    if (!options.onError) throw error;
    options.onError(error);
  });
}
