import { CardSummary } from '../card/card-summary';
import { RoutingAttemptInput } from '../tier-planning/routing-attempts';
import { TierRouting } from '../tier-planning/tier-plan';
import { PaymentTier } from './payment-events';
import { AttemptResolutionCommand } from './attempt-resolution';
import { CaptureMethod } from './after-approval/capture-method';

export type ProcessorOutcome = 'approved' | 'declined' | 'timeout' | 'error';

export type PaymentCommand =
  /** Everything fixed for the whole payment: tier amounts and route ids, the card's summary, the payer's attempts. */
  | {
      type: 'StartPayment';
      paymentId: string;
      checkoutSessionId: string;
      accountId: string;
      tiers: readonly PaymentTier[];
      card: CardSummary;
      binCountry: string | null;
      attempts?: readonly RoutingAttemptInput[];
      /** The account's processors, against which `attempts` are checked. */
      accountProcessorIds: readonly string[];
      /** The session's; absent: automatic (PaymentStarted then records none). */
      captureMethod?: CaptureMethod;
    }
  /** The saga's: the tier's route as it is now, and the account's processors as they are now. */
  | { type: 'StartNextTier'; paymentId: string; tier: number; routing: TierRouting }
  /** The saga's: the connector's answer to the pending call, shaped like its AuthorizationResult. */
  | {
      type: 'RecordProcessorOutcome';
      paymentId: string;
      idempotencyKey: string;
      outcome: ProcessorOutcome;
      code?: string;
      authCode?: string;
      durationMs: number;
      message?: string;
      /** The connector's: whether a timeout or error may hide a charge (absent: it may). */
      uncertain?: boolean;
    }
  /**
   * The saga's, when a step is refused for good or keeps failing past its retries: ends the
   * payment failed (`processing_error`) with why, instead of leaving it processing.
   */
  | { type: 'FailPayment'; paymentId: string; detail: string }
  /** The resolver's: what the processor says of an unknown attempt, and the undoing of a late approval. */
  | AttemptResolutionCommand;
