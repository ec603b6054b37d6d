import { CatalogItem, CatalogKind } from '@payments/domain';

/** The public fields of each kind, named explicitly so that nothing internal reaches a client. */
const FIELDS: { [Kind in CatalogKind]: (item: CatalogItem<Kind>) => object } = {
  product: ({ name }) => ({ name }),
  price: ({ product_id, unit_amount, currency }) => ({ product_id, unit_amount, currency }),
  customer: ({ email, name }) => ({ email, name }),
  coupon: ({ percent_off, amount_off, currency, name }) => ({ percent_off, amount_off, currency, name }),
  // Promotion codes cannot be deactivated yet; `active` is there for clients written against Stripe.
  promotion_code: ({ code, coupon_id }) => ({ code, coupon_id, active: true }),
};

/** `{id, object, ...fields, created_at}`, the object being the kind, as Stripe shows its objects. */
export function presentCatalogItem<Kind extends CatalogKind>(kind: Kind, item: CatalogItem<Kind>) {
  return { id: item.id, object: kind, ...FIELDS[kind](item), created_at: item.createdAt };
}
