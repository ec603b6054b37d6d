import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CheckoutSessionsModule } from '@payments/orchestration';
import { CheckoutSessionsController } from './checkout-sessions.controller';

/** Checkout sessions over HTTP: create (JSON or form, and the /api alias), read, list, expire. */
@Module({
  imports: [CqrsModule, CheckoutSessionsModule],
  controllers: [CheckoutSessionsController],
})
export class CheckoutSessionsApiModule {}
