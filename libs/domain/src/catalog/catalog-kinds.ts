import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { IdPrefix } from '../shared/ids';
import { CatalogItemState } from './catalog-item';
import { Coupon, CouponCommand, CouponEvent, couponDecider } from './coupon';
import { Customer, CustomerCommand, CustomerEvent, customerDecider } from './customer';
import { Price, PriceCommand, PriceEvent, priceDecider } from './price';
import { Product, ProductCommand, ProductEvent, productDecider } from './product';
import { PromotionCode, PromotionCodeCommand, PromotionCodeEvent, promotionCodeDecider } from './promotion-code';

/** The types of each kind of catalog item, by kind; the kind is also the `object` the API shows. */
export interface CatalogKinds {
  product: { item: Product; command: ProductCommand; event: ProductEvent };
  price: { item: Price; command: PriceCommand; event: PriceEvent };
  customer: { item: Customer; command: CustomerCommand; event: CustomerEvent };
  coupon: { item: Coupon; command: CouponCommand; event: CouponEvent };
  promotion_code: { item: PromotionCode; command: PromotionCodeCommand; event: PromotionCodeEvent };
}

export type CatalogKind = keyof CatalogKinds;
export type CatalogItem<Kind extends CatalogKind = CatalogKind> = CatalogKinds[Kind]['item'];

export interface CatalogKindDefinition<Kind extends CatalogKind> {
  /** Ids of this kind start with it, so an id of another kind is never read as one of this kind. */
  prefix: IdPrefix;
  /** The one event a catalog item ever has: items are written once and never change. */
  created: CatalogKinds[Kind]['event']['type'];
  decider: Decider<CatalogKinds[Kind]['command'], CatalogKinds[Kind]['event'], CatalogItemState<CatalogItem<Kind>>, DecisionContext>;
}

/** Every catalog kind; each item lives in its own stream `catalog-<id>`. */
export const CATALOG_KINDS: { readonly [Kind in CatalogKind]: CatalogKindDefinition<Kind> } = {
  product: { prefix: 'prod', created: 'ProductCreated', decider: productDecider },
  price: { prefix: 'price', created: 'PriceCreated', decider: priceDecider },
  customer: { prefix: 'cus', created: 'CustomerCreated', decider: customerDecider },
  coupon: { prefix: 'coupon', created: 'CouponCreated', decider: couponDecider },
  promotion_code: { prefix: 'promo', created: 'PromotionCodeCreated', decider: promotionCodeDecider },
};

export type CreatedCatalogItem = { [Kind in CatalogKind]: { kind: Kind; item: CatalogItem<Kind> } }[CatalogKind];

/** The item an event creates, folded by its kind's decider; undefined for any other event. */
export function catalogItemCreatedBy(event: DomainEvent): CreatedCatalogItem | undefined {
  for (const kind of Object.keys(CATALOG_KINDS) as CatalogKind[]) {
    const item = itemCreatedBy(CATALOG_KINDS[kind], event);
    if (item) return { kind, item } as CreatedCatalogItem;
  }
  return undefined;
}

function itemCreatedBy<Kind extends CatalogKind>({ created, decider }: CatalogKindDefinition<Kind>, event: DomainEvent): CatalogItem<Kind> | undefined {
  if (event.type !== created) return undefined;
  const state = decider.evolve(decider.initialState(), event as CatalogKinds[Kind]['event']);
  return state.status === 'created' ? state.item : undefined;
}
