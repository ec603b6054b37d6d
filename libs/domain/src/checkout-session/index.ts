export * from './session-request';
export * from './pricing';
export * from './session-references';
export * from './session-status';
export * from './session-routes';
export * from './priced-session';
export * from './checkout-session';
export * from './success-url';
