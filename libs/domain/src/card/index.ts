export * from './networks';
export * from './bin-network';
export * from './luhn';
export * from './expiry';
export * from './card-summary';
export * from './card-number-in-text';
