import { Decider, DecisionContext } from '../shared/decider';
import { decidePayment } from './decide';
import { PaymentCommand } from './payment-commands';
import { PaymentEvent } from './payment-events';
import { evolvePayment, initialPaymentState, PaymentState } from './payment-state';

export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState, DecisionContext> = {
  initialState: initialPaymentState,
  decide: decidePayment,
  evolve: evolvePayment,
};
