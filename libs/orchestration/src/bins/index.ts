export * from './bin-table.module';
