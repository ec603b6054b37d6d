export type { CatalogItemState, OwnedReference } from './catalog-item';
export { MAX_CATALOG_NAME_LENGTH, assertNoErrors } from './catalog-item';
export * from './catalog-kinds';
export * from './product';
export * from './price';
export * from './customer';
export * from './coupon';
export * from './promotion-code';
export * from './promotion-code-claim';
