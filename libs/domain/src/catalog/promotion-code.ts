import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { FieldError } from '../shared/errors';
import { CatalogItemState, OwnedReference, assertNew, assertNoErrors, isOwnedBy } from './catalog-item';

/** Letters and digits, as Stripe allows; they also keep the code's claim stream name plain. */
const PROMOTION_CODE_PATTERN = /^[A-Za-z0-9]{1,50}$/;

export interface PromotionCode {
  id: string;
  accountId: string;
  /** As the merchant wrote it; customers may type it in any case. */
  code: string;
  coupon_id: string;
  createdAt: string;
}

export type PromotionCodeEvent = DomainEvent<
  'PromotionCodeCreated',
  { promotion_code_id: string; account_id: string; code: string; coupon_id: string; created_at: string }
>;

export type PromotionCodeCommand = {
  type: 'CreatePromotionCode';
  promotionCodeId: string;
  accountId: string;
  code: string;
  couponId: string;
  /** The coupon named by `coupon_id`, as the handler found it; undefined when there is none. */
  coupon: OwnedReference | undefined;
};

export type PromotionCodeState = CatalogItemState<PromotionCode>;

export const promotionCodeDecider: Decider<PromotionCodeCommand, PromotionCodeEvent, PromotionCodeState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    assertNew(state, command.promotionCodeId);
    assertNoErrors(promotionCodeErrors(command), 'promotion code');
    return [
      {
        type: 'PromotionCodeCreated',
        data: {
          promotion_code_id: command.promotionCodeId,
          account_id: command.accountId,
          code: command.code,
          coupon_id: command.couponId,
          created_at: now.toISOString(),
        },
      },
    ];
  },

  evolve(_state, { data }) {
    const { promotion_code_id, account_id, code, coupon_id, created_at } = data;
    return { status: 'created', item: { id: promotion_code_id, accountId: account_id, code, coupon_id, createdAt: created_at } };
  },
};

/** What is wrong with a promotion code; the handler asks before it claims the code, so a refused code is never claimed. */
export function promotionCodeErrors({ accountId, code, couponId, coupon }: Omit<PromotionCodeCommand, 'type' | 'promotionCodeId'>): FieldError[] {
  return [...promotionCodeFormatErrors(code), ...(isOwnedBy(coupon, accountId) ? [] : [{ field: 'coupon_id', message: `unknown coupon ${couponId}` }])];
}

export function promotionCodeFormatErrors(code: string): FieldError[] {
  return PROMOTION_CODE_PATTERN.test(code) ? [] : [{ field: 'code', message: 'must be 1 to 50 letters and digits' }];
}
