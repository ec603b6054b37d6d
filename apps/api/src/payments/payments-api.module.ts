import { Module } from '@nestjs/common';
import { PaymentsModule } from '@payments/orchestration';
import { PaymentsController } from './payments.controller';

/** Payments over HTTP: pay a checkout session, read payments and their events. */
@Module({
  imports: [PaymentsModule],
  controllers: [PaymentsController],
})
export class PaymentsApiModule {}
