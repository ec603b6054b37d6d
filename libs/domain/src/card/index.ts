export * from './networks';
export * from './bin-network';
export * from './luhn';
export * from './expiry';
export * from './card-summary';
