import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { FieldError } from '../shared/errors';
import { CatalogItemState, assertNew, assertNoErrors, nameErrors } from './catalog-item';

export const MAX_EMAIL_LENGTH = 512;

export interface CustomerFields {
  email: string;
  name: string | null;
}

export interface Customer extends CustomerFields {
  id: string;
  accountId: string;
  createdAt: string;
}

export type CustomerEvent = DomainEvent<'CustomerCreated', { customer_id: string; account_id: string; created_at: string } & CustomerFields>;
export type CustomerCommand = { type: 'CreateCustomer'; customerId: string; accountId: string; email: string; name?: string | null };
export type CustomerState = CatalogItemState<Customer>;

export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    assertNew(state, command.customerId);
    const name = command.name ?? null;
    assertNoErrors([...emailErrors(command.email), ...(name === null ? [] : nameErrors('name', name))], 'customer');
    return [
      {
        type: 'CustomerCreated',
        data: { customer_id: command.customerId, account_id: command.accountId, email: command.email, name, created_at: now.toISOString() },
      },
    ];
  },

  evolve(_state, { data }) {
    const { customer_id, account_id, created_at, ...fields } = data;
    return { status: 'created', item: { id: customer_id, accountId: account_id, ...fields, createdAt: created_at } };
  },
};

/** A plausible address (one @, a dotted domain, no spaces); only sending mail proves more. */
function emailErrors(email: string): FieldError[] {
  if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return [{ field: 'email', message: `must be an email address of at most ${MAX_EMAIL_LENGTH} characters` }];
  }
  return [];
}
