export * from './route-policy';
export * from './skip-reasons';
export * from './volume-split';
export * from './rule-conditions';
export * from './candidate-order';
export * from './routing-attempts';
export * from './tier-plan';
