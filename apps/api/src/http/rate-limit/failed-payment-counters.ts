import { FailedPaymentsLimitReached } from '@payments/domain';
import { FailedPaymentCounters, PayerKeys } from '@payments/orchestration';
import { RateLimitVerdict, RateLimiter } from './rate-limiter';

/** The window of CARD_FAILED_PAYMENTS_PER_HOUR and ADDRESS_FAILED_PAYMENTS_PER_HOUR: clock hours. */
export const FAILED_PAYMENTS_WINDOW_MS = 3_600_000;

const ALLOWED: RateLimitVerdict = { allowed: true };

/**
 * Failed public payments per card fingerprint and per client address, on the rate limiter's
 * fixed windows (one clock hour): a failure is a hit, and a pay is admitted while one more
 * would still be within both limits. The refusal names neither the card nor the address.
 */
export class RateLimitedFailedPayments implements FailedPaymentCounters {
  constructor(
    private readonly cards: RateLimiter,
    private readonly addresses: RateLimiter,
  ) {}

  async limitReached({ fingerprint, address }: PayerKeys): Promise<FailedPaymentsLimitReached | undefined> {
    const [card, client] = await Promise.all([this.cards.peek(cardKey(fingerprint)), address === undefined ? ALLOWED : this.addresses.peek(addressKey(address))]);
    if (!card.allowed) {
      return new FailedPaymentsLimitReached('fingerprint', 'Too many payments with this card have failed in this hour; try again after Retry-After seconds, or pay with another card.', card.retryAfterMs);
    }
    if (!client.allowed) {
      return new FailedPaymentsLimitReached('address', 'Too many payments from this address have failed in this hour; try again after Retry-After seconds.', client.retryAfterMs);
    }
    return undefined;
  }

  async recordFailure({ fingerprint, address }: PayerKeys): Promise<void> {
    await Promise.all([this.cards.hit(cardKey(fingerprint)), address === undefined ? undefined : this.addresses.hit(addressKey(address))]);
  }
}

const cardKey = (fingerprint: string) => `failed-payments:card:${fingerprint}`;
const addressKey = (address: string) => `failed-payments:address:${address}`;
