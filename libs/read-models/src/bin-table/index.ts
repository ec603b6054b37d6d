export * from './bin-table-store';
export * from './sqlite-bin-table';
export * from './redis-bin-table';
