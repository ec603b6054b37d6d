export * from './webhook-event-types';
export * from './webhook-url';
export * from './webhook-endpoint';
