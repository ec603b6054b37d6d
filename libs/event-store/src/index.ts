export * from './event-store';
export * from './event-id';
export * from './create-event-store';
export * from './memory-event-store';
export * from './sqlite-event-store';
export * from './sqlite-events-database';
export * from './eventstoredb-event-store';
export * from './sqlite-writer-thread';
