export * from './analytics.reader';
export * from './analytics.module';
