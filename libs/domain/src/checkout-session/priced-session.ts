import { invalid } from '../shared/errors';
import { assertNoErrors } from '../shared/validation';
import { PricedTier, priceTier } from './pricing';
import { CheckoutSessionReferences, SessionDiscount, resolveSessionReferences } from './session-references';
import { CheckoutSessionRequest, validateCheckoutSessionRequest } from './session-request';

export interface SessionTier extends PricedTier {
  index: number;
  /** Null: the session's route applies. */
  processor_route_id: string | null;
}

export interface PricedSession {
  tiers: SessionTier[];
  discount: SessionDiscount | null;
}

/**
 * The session a request describes, priced tier by tier; throws `invalid` for every broken rule
 * and unknown id. The handler asks before it attaches the session's routes, so that a refused
 * request never references a route, and the decider asks again when it records the session.
 */
export function priceSession(accountId: string, request: CheckoutSessionRequest, references: CheckoutSessionReferences): PricedSession {
  assertNoErrors(validateCheckoutSessionRequest(request), 'checkout session');
  const resolved = resolveSessionReferences(accountId, request, references);
  if (Array.isArray(resolved)) throw invalid('the checkout session names unknown ids', resolved);
  const tiers = resolved.tiers.map(({ field, line_items, processor_route_id }, index) => ({
    index,
    ...priceTier(line_items, resolved.discount, field),
    processor_route_id,
  }));
  return { tiers, discount: resolved.discount };
}
