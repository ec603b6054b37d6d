import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict } from '../shared/errors';
import { streamName } from '../shared/streams';
import { assertNoErrors } from './catalog-item';
import { promotionCodeFormatErrors } from './promotion-code';

/**
 * A code is unique per account regardless of case. Each code has its own claim stream, named by
 * `promotionCodeKey`; appending its first event with expected revision 'no_stream' lets exactly
 * one promotion code win the code, however many create it at once. Session creation reads the
 * same stream to find the promotion code a customer typed.
 */
export function promotionCodeKey(accountId: string, code: string): string {
  return `${accountId}_${code.toUpperCase()}`;
}

export type PromotionCodeClaimEvent = DomainEvent<'PromotionCodeClaimed', { account_id: string; code: string; promotion_code_id: string }>;

export type PromotionCodeClaimCommand = { type: 'ClaimPromotionCode'; accountId: string; code: string; promotionCodeId: string };

export type PromotionCodeClaimState = { status: 'free' } | { status: 'claimed'; code: string; promotionCodeId: string };

export const promotionCodeClaimDecider: Decider<PromotionCodeClaimCommand, PromotionCodeClaimEvent, PromotionCodeClaimState, DecisionContext> = {
  initialState: () => ({ status: 'free' }),

  decide(command, state) {
    assertNoErrors(promotionCodeFormatErrors(command.code), 'promotion code');
    if (state.status === 'free') {
      return [{ type: 'PromotionCodeClaimed', data: { account_id: command.accountId, code: command.code, promotion_code_id: command.promotionCodeId } }];
    }
    // The same promotion code claiming again is a retried request.
    if (state.promotionCodeId === command.promotionCodeId) return [];
    throw conflict(`the promotion code ${state.code} already exists`);
  },

  evolve(_state, { data }) {
    return { status: 'claimed', code: data.code, promotionCodeId: data.promotion_code_id };
  },
};

/** The claim stream of a code in an account. */
export function promotionCodeClaimStream(accountId: string, code: string): string {
  return streamName('promotion_code', promotionCodeKey(accountId, code));
}
