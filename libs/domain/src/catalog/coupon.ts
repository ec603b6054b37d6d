import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { FieldError, invalid } from '../shared/errors';
import { isCurrency } from '../shared/money';
import { isIntegerBetween } from '../shared/validation';
import { CatalogItemState, assertNew, nameErrors } from './catalog-item';
import { MAX_UNIT_AMOUNT } from './price';

/** Exactly one kind of discount: a percentage, or a fixed amount in one currency. */
export type CouponTerms = { percent_off: number; amount_off: null; currency: null } | { percent_off: null; amount_off: number; currency: string };

export type CouponFields = CouponTerms & { name: string | null };

export type Coupon = CouponFields & { id: string; accountId: string; createdAt: string };

export type CouponEvent = DomainEvent<'CouponCreated', { coupon_id: string; account_id: string; created_at: string } & CouponFields>;

export type CouponCommand = {
  type: 'CreateCoupon';
  couponId: string;
  accountId: string;
  percentOff?: number | null;
  amountOff?: number | null;
  currency?: string | null;
  name?: string | null;
};

export type CouponState = CatalogItemState<Coupon>;

export const couponDecider: Decider<CouponCommand, CouponEvent, CouponState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    assertNew(state, command.couponId);
    const name = command.name ?? null;
    const nameProblems = name === null ? [] : nameErrors('name', name);
    const terms = couponTerms(command);
    if (Array.isArray(terms) || nameProblems.length > 0) throw invalid('the coupon is invalid', [...(Array.isArray(terms) ? terms : []), ...nameProblems]);
    return [{ type: 'CouponCreated', data: { coupon_id: command.couponId, account_id: command.accountId, ...terms, name, created_at: now.toISOString() } }];
  },

  evolve(_state, { data }) {
    const { coupon_id, account_id, created_at, ...fields } = data;
    return { status: 'created', item: { id: coupon_id, accountId: account_id, ...fields, createdAt: created_at } };
  },
};

/** The coupon's terms, or what is wrong with them. */
function couponTerms({ percentOff = null, amountOff = null, currency = null }: CouponCommand): CouponTerms | FieldError[] {
  if (percentOff !== null && amountOff === null) return percentTerms(percentOff, currency);
  if (amountOff !== null && percentOff === null) return amountTerms(amountOff, currency);
  return [{ field: 'percent_off', message: 'give exactly one of percent_off and amount_off' }];
}

function percentTerms(percentOff: number, currency: string | null): CouponTerms | FieldError[] {
  const errors: FieldError[] = [];
  if (!isPercentOff(percentOff)) errors.push({ field: 'percent_off', message: 'must be greater than 0 and at most 100, with at most two decimals' });
  if (currency !== null) errors.push({ field: 'currency', message: 'applies only to amount_off' });
  return errors.length > 0 ? errors : { percent_off: percentOff, amount_off: null, currency: null };
}

function amountTerms(amountOff: number, currency: string | null): CouponTerms | FieldError[] {
  const errors: FieldError[] = [];
  if (!isIntegerBetween(amountOff, 1, MAX_UNIT_AMOUNT)) {
    errors.push({ field: 'amount_off', message: `must be an integer amount in minor units from 1 to ${MAX_UNIT_AMOUNT}` });
  }
  if (!isCurrency(currency)) return [...errors, { field: 'currency', message: 'amount_off needs an upper-case ISO 4217 currency code' }];
  return errors.length > 0 ? errors : { percent_off: null, amount_off: amountOff, currency };
}

/** Two decimals at most, so a discount is a whole number of basis points and rounds exactly. */
function isPercentOff(value: number): boolean {
  const basisPoints = value * 100;
  return value > 0 && value <= 100 && Math.abs(basisPoints - Math.round(basisPoints)) < 1e-6;
}
