import { RecordedTierPlan } from '../tier-planning/tier-plan';
import { AttemptsInDoubt, evolveAttemptsInDoubt, noAttemptsInDoubt } from './attempt-resolution';
import { PaymentEvent, PaymentStartedData, ProcessorAttemptedData } from './payment-events';

/** A started tier and how far its cascade has gone. */
export type TierRun = RecordedTierPlan & {
  index: number;
  /** How many plan entries the cascade has reached (called or skipped). */
  cursor: number;
  /** Processor calls made in the tier, optimized retries included. */
  calls: number;
  /** Processors that had their one optimized retry in this tier. */
  optimizedProcessors: string[];
  lastCall: ProcessorAttemptedData | null;
  /** The last call was recorded (before it was sent) and has no outcome yet. */
  awaitingOutcome: boolean;
  failed: boolean;
  /** TierStarted's: the revision of each processor the tier may call, as planned. */
  processor_revisions?: Readonly<Record<string, number>>;
};

export interface PaymentRun {
  status: 'processing' | 'succeeded' | 'failed';
  payment: PaymentStartedData;
  /** The tier the cascade is in, or null before the first tier starts. */
  tier: TierRun | null;
  /** Keys of calls whose outcome is recorded, so a repeated outcome is recognised as one. */
  answeredKeys: string[];
  /** Calls whose outcome may hide a charge, and their resolution (attempt-resolution.ts). */
  inDoubt: AttemptsInDoubt;
}

export type PaymentState = { status: 'none' } | PaymentRun;

export const initialPaymentState = (): PaymentState => ({ status: 'none' });

export function evolvePayment(state: PaymentState, event: PaymentEvent): PaymentState {
  if (event.type === 'PaymentStarted') return { status: 'processing', payment: event.data, tier: null, answeredKeys: [], inDoubt: noAttemptsInDoubt };
  return state.status === 'none' ? state : evolveRun(state, event);
}

export function evolveRun(run: PaymentRun, event: PaymentEvent): PaymentRun {
  const next = evolveCascade(run, event);
  const inDoubt = evolveAttemptsInDoubt(run.inDoubt, event);
  return inDoubt === next.inDoubt ? next : { ...next, inDoubt };
}

function evolveCascade(run: PaymentRun, event: PaymentEvent): PaymentRun {
  const tier = run.tier;
  switch (event.type) {
    case 'PaymentStarted':
      return run;
    case 'TierStarted': {
      const { payment_id: _paymentId, tier: index, ...plan } = event.data;
      return {
        ...run,
        tier: { ...plan, index, cursor: 0, calls: 0, optimizedProcessors: [], lastCall: null, awaitingOutcome: false, failed: false },
      };
    }
    case 'ProcessorSkipped':
      return tier ? { ...run, tier: { ...tier, cursor: tier.cursor + 1 } } : run;
    case 'ProcessorAttempted': {
      if (!tier) return run;
      const { optimized, processor_id } = event.data;
      // An optimized retry repeats the plan entry it retries; only a first call moves the cursor.
      const moved = optimized
        ? { optimizedProcessors: [...tier.optimizedProcessors, processor_id] }
        : { cursor: tier.cursor + 1 };
      return { ...run, tier: { ...tier, ...moved, calls: tier.calls + 1, lastCall: event.data, awaitingOutcome: true } };
    }
    case 'ProcessorApproved':
    case 'ProcessorDeclined':
    case 'ProcessorTimedOut':
    case 'ProcessorErrored':
      if (!tier?.lastCall) return run;
      return { ...run, tier: { ...tier, awaitingOutcome: false }, answeredKeys: [...run.answeredKeys, tier.lastCall.idempotency_key] };
    case 'TierFailed':
      return tier ? { ...run, tier: { ...tier, failed: true } } : run;
    case 'PaymentSucceeded':
    // A manual payment's approval: the cascade has succeeded, the money is held (after-approval/ takes it from there).
    case 'PaymentAuthorized':
      return { ...run, status: 'succeeded' };
    case 'PaymentFailed':
      return { ...run, status: 'failed' };
    // After the approval: capture, void, expiry and refunds change nothing of the cascade.
    case 'PaymentCaptureRequested':
    case 'PaymentCaptured':
    case 'PaymentCaptureFailed':
    case 'PaymentVoidRequested':
    case 'PaymentVoided':
    case 'AuthorizationExpired':
    case 'PaymentVoidFailed':
    case 'RefundRequested':
    case 'RefundSucceeded':
    case 'RefundFailed':
      return run;
    // Resolution of an unknown attempt comes after the cascade moved on, and changes nothing of it.
    case 'ProcessorAttemptResolved':
    case 'LateApprovalVoided':
    case 'LateApprovalVoidFailed':
      return run;
  }
}
