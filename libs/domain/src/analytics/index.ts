export * from './analytics-window';
