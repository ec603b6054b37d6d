import { Module } from '@nestjs/common';
import { PaymentOperationsModule, PaymentsModule } from '@payments/orchestration';
import { PaymentOperationsController } from './payment-operations.controller';
import { PaymentsController } from './payments.controller';

/** Payments over HTTP: pay a checkout session, read payments and their events; capture, void and refund them. */
@Module({
  imports: [PaymentsModule, PaymentOperationsModule],
  controllers: [PaymentsController, PaymentOperationsController],
})
export class PaymentsApiModule {}
