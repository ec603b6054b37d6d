export * from './checkout-session-links';
export * from './checkout-session-stream';
export * from './create-checkout-session';
export * from './expire-checkout-sessions';
export * from './session-payments';
export * from './checkout-sessions.reader';
export * from './expired-sessions-sweeper';
export * from './checkout-sessions.module';
