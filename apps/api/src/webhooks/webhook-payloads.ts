import { Inject, Injectable } from '@nestjs/common';
import { WebhookDelivery, WebhookObjectKind, afterApprovalDecider, checkoutSessionDecider, domainEventOf, evolveStored, findRefund, isEventOf, paymentView } from '@payments/domain';
import { EventStore, readStreamToArray } from '@payments/event-store';
import { CheckoutSessionLinks, EVENT_STORE, WebhookPayloads } from '@payments/orchestration';
import { presentCheckoutSession } from '../checkout-sessions/checkout-session.presenter';
import { presentPayment } from '../payments/payment.presenter';
import { presentRefund } from '../payments/refund.presenter';

/**
 * A webhook's `data`: the object of the delivered event's stream folded up to that event, shown
 * by the presenters GET /v1/payments/{id}, GET /v1/refunds/{id} (the refund the event names) and
 * GET /v1/checkout/sessions/{id}?expand=custom_fields use, so every try of a delivery carries the
 * same object, as it stood then.
 */
@Injectable()
export class ApiWebhookPayloads implements WebhookPayloads {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly links: CheckoutSessionLinks,
  ) {}

  async data(delivery: WebhookDelivery, object: WebhookObjectKind): Promise<unknown> {
    const { stream, revision } = delivery.source;
    const recorded = await readStreamToArray(this.events, stream, { maxCount: revision + 1 });
    switch (object) {
      case 'payment': {
        const view = paymentView(recorded.map(domainEventOf).filter((event) => isEventOf(event, 'payment')));
        if (!view) throw new Error(`${stream} has no payment to show`);
        return presentPayment(view);
      }
      case 'refund': {
        const state = recorded.reduce((payment, event) => evolveStored(afterApprovalDecider, payment, event), afterApprovalDecider.initialState());
        const named = domainEventOf(recorded[recorded.length - 1]);
        const refund = named.type === 'RefundSucceeded' || named.type === 'RefundFailed' ? findRefund(state, named.data.refund_id) : undefined;
        if (!refund) throw new Error(`${stream} has no refund at revision ${revision}`);
        return presentRefund(refund);
      }
      case 'checkout_session': {
        const state = recorded.reduce((session, event) => evolveStored(checkoutSessionDecider, session, event), checkoutSessionDecider.initialState());
        if (state.status !== 'created') throw new Error(`${stream} has no checkout session to show`);
        return presentCheckoutSession(state.session, new Date(delivery.createdAt), this.links, ['custom_fields']);
      }
    }
  }
}
