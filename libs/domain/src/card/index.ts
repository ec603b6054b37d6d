export * from './networks';
export * from './bin-network';
export * from './bin-table';
export * from './luhn';
export * from './expiry';
export * from './card-summary';
export * from './card-number-in-text';
