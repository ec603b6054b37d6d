export * from './operation-metrics';
export * from './after-approval-stream';
export * from './operation-driver';
export * from './payment-operations';
export * from './after-approval-sweeper';
export * from './payment-operations.module';
