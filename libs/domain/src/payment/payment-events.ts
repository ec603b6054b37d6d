import { CardSummary } from '../card/card-summary';
import { CardNetwork } from '../card/networks';
import { RoutingAttempt } from '../tier-planning/routing-attempts';
import { SkipReason } from '../tier-planning/skip-reasons';
import { RecordedTierPlan } from '../tier-planning/tier-plan';
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

/**
 * `processing_error`: a step of the saga was refused for a reason that will not go away (a route
 * or processor that cannot be read, a stream the cascade cannot continue), or kept failing past
 * its retries; PaymentFailed's `failure_detail` says which.
 */
export type PaymentFailureReason = 'hard_decline' | 'all_tiers_failed' | 'processing_error';

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
  /**
   * The processor stream's revision when the tier was planned (TierStarted's `processor_revisions`):
   * the call, also one re-sent after a crash, and the resolution of its outcome use the processor's
   * settings as of that revision. Absent in calls recorded before revisions were: their processor's
   * settings are read as they are at the call.
   */
  processor_revision?: number;
}

/** What the processor said, asked later by the attempt's idempotency key, about an attempt whose answer was uncertain. */
export type AttemptResolutionOutcome = 'approved' | 'declined' | 'not_found';

/** How a late approval is undone: void while only authorized, refund once captured (a sale). */
export type LateApprovalUndoMethod = 'void' | 'refund';

/** The attempt a resolution is about. */
interface AttemptRef {
  payment_id: string;
  tier: number;
  processor_id: string;
  attempt: number;
  idempotency_key: string;
}

export type PaymentEvent =
  /** What follows the approval: capture, void, expiry and refunds (after-approval/). */
  | AfterApprovalEvent
  | DomainEvent<'PaymentStarted', PaymentStartedData>
  | DomainEvent<'TierStarted', { payment_id: string; tier: number; processor_revisions?: Record<string, number> } & RecordedTierPlan>
  | DomainEvent<'ProcessorSkipped', { payment_id: string; tier: number; processor_id: string; network: CardNetwork; reason: SkipReason }>
  | DomainEvent<'ProcessorAttempted', ProcessorAttemptedData>
  | DomainEvent<'ProcessorApproved', CallRef & { code: string | null; auth_code: string | null; duration_ms: number }>
  | DomainEvent<'ProcessorDeclined', CallRef & { code: string | null; hard: boolean; duration_ms: number }>
  | DomainEvent<'ProcessorTimedOut', CallRef & { duration_ms: number } & UncertainAnswer>
  | DomainEvent<'ProcessorErrored', CallRef & { code: string | null; message: string | null; duration_ms: number; uncertain?: boolean }>
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
  | DomainEvent<
      'PaymentFailed',
      { payment_id: string; checkout_session_id: string; failure_reason: PaymentFailureReason; tier: number; completed_at: string; failure_detail?: string }
    >
  | DomainEvent<
      'ProcessorAttemptResolved',
      AttemptRef & {
        outcome: AttemptResolutionOutcome;
        code: string | null;
        auth_code: string | null;
        /** Of an approval, where the processor says it stands; null when it does not say. */
        state: 'authorized' | 'captured' | 'voided' | null;
        captured_amount: number | null;
        refunded_amount: number | null;
      }
    >
  | DomainEvent<'LateApprovalVoided', AttemptRef & { method: LateApprovalUndoMethod; operation_key: string; amount: number; currency: string }>
  | DomainEvent<'LateApprovalVoidFailed', AttemptRef & { method: LateApprovalUndoMethod; operation_key: string; code: string | null; message: string | null }>;

/**
 * A timeout or error may hide a charge unless the connector said otherwise: `uncertain` is
 * false only for an answer that says nothing was charged. Absent in events recorded before the
 * field existed, which read as uncertain. `message` says why, for people.
 */
interface UncertainAnswer {
  uncertain?: boolean;
  message?: string | null;
}

export type ProcessorOutcomeEvent = Extract<PaymentEvent, { type: 'ProcessorApproved' | 'ProcessorDeclined' | 'ProcessorTimedOut' | 'ProcessorErrored' }>;

export function idempotencyKey(paymentId: string, tier: number, attempt: number): string {
  return `${paymentId}:${tier}:${attempt}`;
}
