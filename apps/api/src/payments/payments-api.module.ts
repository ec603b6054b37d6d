import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PaymentsModule } from '@payments/orchestration';
import { PaymentsController } from './payments.controller';

/** Payments over HTTP: pay a checkout session, read payments and their events. */
@Module({
  imports: [CqrsModule, PaymentsModule],
  controllers: [PaymentsController],
})
export class PaymentsApiModule {}
