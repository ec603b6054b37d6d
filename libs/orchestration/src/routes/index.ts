export * from './route-stream';
export * from './route.commands';
export * from './route-references.commands';
export * from './routes.module';
