import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BinTableModule } from '../bins/bin-table.module';
import { CheckoutSessionsModule } from '../checkout-sessions/checkout-sessions.module';
import { RoutesModule } from '../routes/routes.module';
import { LEASE_STORE, LeaseStore } from '../leases/lease-store';
import { PaymentCards } from './payment-cards';
import { PaymentCascade } from './payment-cascade';
import { PaymentRecovery } from './payment-recovery';
import { PaymentWorkLog } from './payment-work-log';
import { AttemptResolver } from './attempt-resolver';
import { PaymentsReader } from './payments.reader';
import { ProcessorCall } from './processor-call';
import { ProcessorConnectorsModule } from './processor-connectors.module';
import { PayCheckoutSession } from './pay-checkout-session';
import { LeaseSessionPayLock, SESSION_PAY_LOCK } from './session-pay-lock';
import { TierRoutingResolver } from './tier-routing';

/**
 * Payments: paying a session (PayCheckoutSession), the cascade saga with its recovery at start,
 * and payment reads. Ending a payment completes its session and releases the session's routes,
 * so the session and route modules come along. Metrics are recorded when a PAYMENT_METRICS provider is global.
 */
@Module({
  imports: [AccountsModule, RoutesModule, CheckoutSessionsModule, ProcessorConnectorsModule, BinTableModule],
  providers: [
    PaymentCards,
    TierRoutingResolver,
    ProcessorCall,
    PaymentCascade,
    PaymentWorkLog,
    PaymentRecovery,
    AttemptResolver,
    PaymentsReader,
    PayCheckoutSession,
    { provide: SESSION_PAY_LOCK, inject: [LEASE_STORE], useFactory: (leases: LeaseStore) => new LeaseSessionPayLock(leases) },
  ],
  exports: [PayCheckoutSession, PaymentCards, PaymentsReader, PaymentCascade, PaymentRecovery],
})
export class PaymentsModule {}
