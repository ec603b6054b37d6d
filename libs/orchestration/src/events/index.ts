export * from './account-events';
export * from './events.module';
