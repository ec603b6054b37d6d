import { createHash } from 'node:crypto';
import { AuthorizationRequest, CardSummary, SimulatorSettings } from '../connector';

/** What the simulated processor decides for one request, before any delay or idempotency replay. */
export type SimulatorDecision =
  | { outcome: 'approved' }
  | { outcome: 'declined'; code: string }
  | { outcome: 'timeout' }
  | { outcome: 'error' };

const DEFAULT_DECLINE_CODE = '05';

/**
 * Test cards every simulator declines whatever its settings (API.md). The full number never
 * reaches a connector, so they are told apart by bin and last4.
 */
const MAGIC_CARDS: ReadonlyArray<{ bin: string; last4: string; code: string }> = [
  { bin: '400000', last4: '0002', code: '05' }, // 4000000000000002
  { bin: '400000', last4: '9995', code: '51' }, // 4000000000009995
];

function magicDeclineCode(card: CardSummary): string | undefined {
  return MAGIC_CARDS.find((magic) => magic.bin === card.bin && magic.last4 === card.last4)?.code;
}

/**
 * A number in [0, 1) fixed by processor and payment: every try of one payment at one processor
 * (re-sends, optimized retries, later tiers) draws the same, while processors draw independently,
 * so an `approval_rate` is a share of payments, not of tries, and a test can reproduce it.
 */
export function approvalDraw(processorId: string, paymentId: string): number {
  return createHash('sha256').update(`${processorId}\u0000${paymentId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The outcome the settings name, ignoring any approval rate. */
function configuredOutcome(settings: SimulatorSettings): SimulatorDecision {
  switch (settings.outcome) {
    case 'approve':
      return { outcome: 'approved' };
    case 'decline':
      return { outcome: 'declined', code: settings.decline_code ?? DEFAULT_DECLINE_CODE };
    case 'timeout':
      return { outcome: 'timeout' };
    case 'error':
      return { outcome: 'error' };
  }
}

export function decideSimulatorAuthorization(
  settings: SimulatorSettings,
  request: AuthorizationRequest,
  call: { processorId: string; optimized: boolean },
): SimulatorDecision {
  const magicCode = magicDeclineCode(request.card);
  if (magicCode !== undefined) return { outcome: 'declined', code: magicCode };
  if (settings.approve_optimized_retry) {
    // A soft decline, so that a route with optimized_retry tries once more.
    return call.optimized ? { outcome: 'approved' } : { outcome: 'declined', code: DEFAULT_DECLINE_CODE };
  }
  if (settings.approval_rate !== undefined && settings.approval_rate !== null) {
    if (approvalDraw(call.processorId, request.paymentId) < settings.approval_rate) return { outcome: 'approved' };
    // The payments that the rate leaves out: `outcome` names what they get, unless it is approve.
    return settings.outcome === 'approve' ? { outcome: 'declined', code: settings.decline_code ?? DEFAULT_DECLINE_CODE } : configuredOutcome(settings);
  }
  return configuredOutcome(settings);
}
