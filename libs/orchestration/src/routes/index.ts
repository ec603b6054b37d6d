export * from './route-stream';
export * from './route.commands';
export * from './route-references';
export * from './routes.module';
