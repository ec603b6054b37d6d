import { Module } from '@nestjs/common';
import { CommandRunner } from '../../command-handling/command-runner';
import { PaymentsModule } from '../payments.module';
import { ProcessorConnectorsModule } from '../processor-connectors.module';
import { AfterApprovalSweeper } from './after-approval-sweeper';
import { OperationDriver } from './operation-driver';
import { PaymentOperations } from './payment-operations';

/**
 * What follows a payment's approval: capture, void, refunds (PaymentOperations), the processor
 * calls they make (OperationDriver) and the sweeper that expires old authorizations and resumes
 * operations a previous run left. Metrics are recorded when a PAYMENT_OPERATION_METRICS provider is global.
 */
@Module({
  imports: [PaymentsModule, ProcessorConnectorsModule],
  providers: [CommandRunner, OperationDriver, PaymentOperations, AfterApprovalSweeper],
  exports: [PaymentOperations],
})
export class PaymentOperationsModule {}
