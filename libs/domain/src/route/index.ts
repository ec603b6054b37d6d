export * from './route-definition';
export * from './validate-route-definition';
export * from './route';
