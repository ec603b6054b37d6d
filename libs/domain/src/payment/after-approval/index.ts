export * from './capture-method';
export * from './after-approval-events';
export * from './after-approval-commands';
export * from './after-approval-state';
export * from './decide-after-approval';
export * from './next-operation';
export * from './refund-view';
export * from './payment-authorized';
