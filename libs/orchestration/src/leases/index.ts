export * from './lease-store';
export * from './lease-keeper';
export * from './in-process-lease-store';
export * from './postgres-lease-store';
export * from './redis-lease-store';
export * from './leases.module';
