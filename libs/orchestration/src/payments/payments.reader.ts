import { Inject, Injectable } from '@nestjs/common';
import { PaymentView, notFound, paymentView } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Page, ReadModelStore } from '@payments/read-models';
import { PaymentStatus, listPayments } from '@payments/read-models/projections/payments';
import { CommandRunner } from '../command-handling/command-runner';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { LoadedPayment, loadPayment, paymentEventsOf } from './payment-stream';

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

  /** `loaded`: the payment's stream as the caller has just read it whole (the saga's last read), which saves reading it again. */
  async payment(accountId: string, paymentId: string, loaded?: LoadedPayment): Promise<PaymentRead> {
    const recorded = loaded ? ofAccount(accountId, paymentId, loaded) : await this.events(accountId, paymentId);
    // Only streams that begin with PaymentStarted get here, and they always have a view.
    const view = paymentView(paymentEventsOf(recorded))!;
    return { view, position: recorded[recorded.length - 1].position };
  }

  /** The payment's stored events in order; another account's payment, or one that never started, reads as missing. */
  async events(accountId: string, paymentId: string): Promise<RecordedEvent[]> {
    return ofAccount(accountId, paymentId, await loadPayment(this.runner, paymentId));
  }

  list(accountId: string, query: { checkoutSessionId?: string; status?: PaymentStatus; limit: number; offset: number }): Promise<Page<PaymentView>> {
    return listPayments(this.store, accountId, query);
  }
}

/** The payment's events; another account's payment, or one that never started, reads as missing. */
function ofAccount(accountId: string, paymentId: string, { state, recorded }: LoadedPayment): RecordedEvent[] {
  if (state.status === 'none' || state.payment.account_id !== accountId) throw notFound(`no payment ${paymentId}`);
  return recorded;
}
