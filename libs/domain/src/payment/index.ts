export * from './payment-events';
export * from './payment-commands';
export * from './payment-state';
export * from './payment-decider';
export * from './decide';
export * from './next-step';
export * from './payment-view';
export * from './after-approval';
