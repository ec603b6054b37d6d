import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { FailedPaymentLimit, FailedPaymentsLimitReached } from '@payments/domain';

/**
 * Who pays through a public way to pay (the hosted page, a publishable token), where anyone can
 * try cards: the limits per card and per client address apply to them. A secret-token pay comes
 * from the merchant's server, whose one address serves all its customers, so it has none.
 */
export interface PublicPayer {
  /** The client's address (the socket's, or X-Forwarded-For behind TRUST_PROXY); undefined when unknown. */
  address: string | undefined;
}

/** The keys a failed payment of a public payer counts under. */
export interface PayerKeys {
  /** The card's fingerprint (HMAC of its number). */
  fingerprint: string;
  address: string | undefined;
}

/**
 * Failed payments per card and per address in a window (CARD_FAILED_PAYMENTS_PER_HOUR,
 * ADDRESS_FAILED_PAYMENTS_PER_HOUR). Counted in Redis with REDIS_URL, else in PostgreSQL with
 * POSTGRES_URL (either way every process shares them), else in the process: fulfilled by the
 * HTTP app (apps/api http/rate-limit).
 */
export interface FailedPaymentCounters {
  /** The refusal for the first of the payer's limits that is reached, with the time until its window ends; undefined when none is. */
  limitReached(keys: PayerKeys): Promise<FailedPaymentsLimitReached | undefined>;
  /** One more failed payment under each of the payer's keys. */
  recordFailure(keys: PayerKeys): Promise<void>;
}

export const FAILED_PAYMENT_COUNTERS = Symbol('FailedPaymentCounters');

/** Where refusals are counted: `/metrics` and the dashboard's count per account, fulfilled by the HTTP app. */
export interface CardTestingRefusals {
  record(accountId: string, limit: FailedPaymentLimit): void;
}

export const CARD_TESTING_REFUSALS = Symbol('CardTestingRefusals');

/**
 * The pay's side of the card-testing limits (DESIGN.md "Card testing"): a session's own limit is
 * the session decider's; this refuses a public payer whose card or address has reached its
 * limit, counts its failed payments, and counts every refusal. Without the HTTP app (the CLI,
 * tests of the saga alone) nobody pays publicly, and the ports are absent.
 */
@Injectable()
export class CardTestingDefence {
  private readonly logger = new Logger('CardTesting');

  constructor(
    @Optional() @Inject(FAILED_PAYMENT_COUNTERS) private readonly counters?: FailedPaymentCounters,
    @Optional() @Inject(CARD_TESTING_REFUSALS) private readonly refusals?: CardTestingRefusals,
  ) {}

  /** Throws the refusal (429) when the payer's card or address has had as many failed payments as its limit. */
  async admit(keys: PayerKeys | undefined): Promise<void> {
    if (keys === undefined || this.counters === undefined) return;
    const refusal = await this.counters.limitReached(keys);
    if (refusal) throw refusal;
  }

  /** Counts `error` when it is a refusal by one of the limits, the session's included. */
  noteRefusal(accountId: string, error: unknown): void {
    if (error instanceof FailedPaymentsLimitReached) this.refusals?.record(accountId, error.limit);
  }

  /**
   * Counts the payment against the payer's card and address if it fails, whenever it finishes:
   * also after the pay has answered `processing`. A payment the service stops under is not counted
   * (its session still counts it).
   */
  watch(keys: PayerKeys | undefined, finished: Promise<{ state: { status: string } } | undefined>): void {
    if (keys === undefined || this.counters === undefined) return;
    const counters = this.counters;
    finished
      .then((loaded) => (loaded?.state.status === 'failed' ? counters.recordFailure(keys) : undefined))
      .catch((error: unknown) => this.logger.warn(`a failed payment could not be counted against its card and address: ${String(error)}`));
  }
}
