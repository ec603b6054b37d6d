import { CardSummary } from '../card/card-summary';
import { CardNetwork } from '../card/networks';
import { RoutingAttempt } from '../tier-planning/routing-attempts';
import { SkipReason } from '../tier-planning/skip-reasons';
import { TierPlan } from '../tier-planning/tier-plan';
import { DomainEvent } from '../shared/event';
import type { AfterApprovalEvent } from './after-approval/after-approval-events';
import { CaptureMethod } from './after-approval/capture-method';

/** A price tier of the payment: its amount is fixed when the payment starts, its route's content when the tier starts. */
export interface PaymentTier {
  index: number;
  amount: number;
  currency: string;
  /** The route the tier resolved to (tier, session, then account default), or null: no route. */
  route_id: string | null;
}

/** Why a tier ended without an approval. */
export type TierFailureReason =
  /** Every step of the plan was called or skipped. */
  | 'exhausted'
  /** The tier made `failover.max_attempts` calls. */
  | 'max_attempts'
  /** The last failure's kind is not in `failover.on`, so the tier tries no other processor. */
  | 'no_failover'
  /** A hard decline, which also fails the payment. */
  | 'hard_decline';

export type PaymentFailureReason = 'hard_decline' | 'all_tiers_failed';

export interface PaymentStartedData {
  payment_id: string;
  checkout_session_id: string;
  account_id: string;
  tiers: PaymentTier[];
  card: CardSummary;
  bin_country: string | null;
  routing: { attempts: RoutingAttempt[] } | null;
  started_at: string;
  /** The session's capture method, which the approving call is made with; absent (written before it existed): automatic. */
  capture_method?: CaptureMethod;
}

/** The call every outcome answers. */
interface CallRef {
  payment_id: string;
  tier: number;
  processor_id: string;
  /** 1-based count of processor calls within the tier, optimized retries included. */
  attempt: number;
  optimized: boolean;
}

export interface ProcessorAttemptedData extends CallRef {
  network: CardNetwork;
  /** `<payment_id>:<tier>:<attempt>`: the same call re-sent after a crash carries the same key. */
  idempotency_key: string;
  amount: number;
  currency: string;
}

export type PaymentEvent =
  /** What follows the approval: capture, void, expiry and refunds (after-approval/). */
  | AfterApprovalEvent
  | DomainEvent<'PaymentStarted', PaymentStartedData>
  | DomainEvent<'TierStarted', { payment_id: string; tier: number } & TierPlan>
  | DomainEvent<'ProcessorSkipped', { payment_id: string; tier: number; processor_id: string; network: CardNetwork; reason: SkipReason }>
  | DomainEvent<'ProcessorAttempted', ProcessorAttemptedData>
  | DomainEvent<'ProcessorApproved', CallRef & { code: string | null; auth_code: string | null; duration_ms: number }>
  | DomainEvent<'ProcessorDeclined', CallRef & { code: string | null; hard: boolean; duration_ms: number }>
  | DomainEvent<'ProcessorTimedOut', CallRef & { duration_ms: number }>
  | DomainEvent<'ProcessorErrored', CallRef & { code: string | null; message: string | null; duration_ms: number }>
  | DomainEvent<'TierFailed', { payment_id: string; tier: number; reason: TierFailureReason }>
  | DomainEvent<
      'PaymentSucceeded',
      {
        payment_id: string;
        checkout_session_id: string;
        tier: number;
        processor_id: string;
        amount: number;
        currency: string;
        auth_code: string | null;
        route_id: string | null;
        route_revision: number | null;
        completed_at: string;
      }
    >
  | DomainEvent<'PaymentFailed', { payment_id: string; checkout_session_id: string; failure_reason: PaymentFailureReason; tier: number; completed_at: string }>;

export type ProcessorOutcomeEvent = Extract<PaymentEvent, { type: 'ProcessorApproved' | 'ProcessorDeclined' | 'ProcessorTimedOut' | 'ProcessorErrored' }>;

export function idempotencyKey(paymentId: string, tier: number, attempt: number): string {
  return `${paymentId}:${tier}:${attempt}`;
}
