import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { CatalogItemState, assertNew, assertNoErrors, nameErrors } from './catalog-item';

export interface Product {
  id: string;
  accountId: string;
  name: string;
  createdAt: string;
}

export type ProductEvent = DomainEvent<'ProductCreated', { product_id: string; account_id: string; name: string; created_at: string }>;
export type ProductCommand = { type: 'CreateProduct'; productId: string; accountId: string; name: string };
export type ProductState = CatalogItemState<Product>;

export const productDecider: Decider<ProductCommand, ProductEvent, ProductState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    assertNew(state, command.productId);
    assertNoErrors(nameErrors('name', command.name), 'product');
    return [{ type: 'ProductCreated', data: { product_id: command.productId, account_id: command.accountId, name: command.name, created_at: now.toISOString() } }];
  },

  evolve(_state, { data }) {
    return { status: 'created', item: { id: data.product_id, accountId: data.account_id, name: data.name, createdAt: data.created_at } };
  },
};
