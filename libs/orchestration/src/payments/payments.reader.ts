import { Inject, Injectable } from '@nestjs/common';
import { PaymentView, notFound, paymentView } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Page, ReadModelStore } from '@payments/read-models';
import { PaymentStatus, listPayments } from '@payments/read-models/projections/payments';
import { CommandRunner } from '../command-handling/command-runner';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { loadPayment, paymentEventsOf } from './payment-stream';

export interface PaymentRead {
  view: PaymentView;
  /** Global position of the payment's last event, for read-your-writes on the list. */
  position: bigint;
}

/** Reads of payments: one (and its events) from its stream, the source of truth; lists from the read model. */
@Injectable()
export class PaymentsReader {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
  ) {}

  async payment(accountId: string, paymentId: string): Promise<PaymentRead> {
    const recorded = await this.events(accountId, paymentId);
    // `events` answers only streams that begin with PaymentStarted, which always have a view.
    const view = paymentView(paymentEventsOf(recorded))!;
    return { view, position: recorded[recorded.length - 1].position };
  }

  /** The payment's stored events in order; another account's payment, or one that never started, reads as missing. */
  async events(accountId: string, paymentId: string): Promise<RecordedEvent[]> {
    const { state, recorded } = await loadPayment(this.runner, paymentId);
    if (state.status === 'none' || state.payment.account_id !== accountId) throw notFound(`no payment ${paymentId}`);
    return recorded;
  }

  list(accountId: string, query: { checkoutSessionId?: string; status?: PaymentStatus; limit: number; offset: number }): Promise<Page<PaymentView>> {
    return listPayments(this.store, accountId, query);
  }
}
