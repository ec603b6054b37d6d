import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { FieldError } from '../shared/errors';
import { isCurrency } from '../shared/money';
import { isIntegerBetween } from '../shared/validation';
import { CatalogItemState, OwnedReference, assertNew, assertNoErrors, isOwnedBy } from './catalog-item';

/**
 * Stripe's ceiling for an amount. It also keeps every session total exact: 100 line items of
 * 10,000 units at this price stay far below Number.MAX_SAFE_INTEGER.
 */
export const MAX_UNIT_AMOUNT = 99_999_999;

export interface PriceFields {
  product_id: string;
  unit_amount: number;
  currency: string;
}

export interface Price extends PriceFields {
  id: string;
  accountId: string;
  createdAt: string;
}

export type PriceEvent = DomainEvent<'PriceCreated', { price_id: string; account_id: string; created_at: string } & PriceFields>;

export type PriceCommand = {
  type: 'CreatePrice';
  priceId: string;
  accountId: string;
  productId: string;
  unitAmount: number;
  currency: string;
  /** The product named by `product_id`, as the handler found it; undefined when there is none. */
  product: OwnedReference | undefined;
};

export type PriceState = CatalogItemState<Price>;

export const priceDecider: Decider<PriceCommand, PriceEvent, PriceState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    assertNew(state, command.priceId);
    assertNoErrors(priceErrors(command), 'price');
    return [
      {
        type: 'PriceCreated',
        data: {
          price_id: command.priceId,
          account_id: command.accountId,
          product_id: command.productId,
          unit_amount: command.unitAmount,
          currency: command.currency,
          created_at: now.toISOString(),
        },
      },
    ];
  },

  evolve(_state, { data }) {
    const { price_id, account_id, created_at, ...fields } = data;
    return { status: 'created', item: { id: price_id, accountId: account_id, ...fields, createdAt: created_at } };
  },
};

function priceErrors({ accountId, productId, unitAmount, currency, product }: PriceCommand): FieldError[] {
  const errors: FieldError[] = [];
  if (!isOwnedBy(product, accountId)) errors.push({ field: 'product_id', message: `unknown product ${productId}` });
  if (!isIntegerBetween(unitAmount, 0, MAX_UNIT_AMOUNT)) {
    errors.push({ field: 'unit_amount', message: `must be an integer amount in minor units from 0 to ${MAX_UNIT_AMOUNT}` });
  }
  if (!isCurrency(currency)) errors.push({ field: 'currency', message: 'must be an upper-case ISO 4217 currency code' });
  return errors;
}
