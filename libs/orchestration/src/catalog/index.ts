export * from './catalog.commands';
export * from './catalog.reader';
export * from './catalog.module';
