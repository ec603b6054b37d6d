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

export function decideSimulatorAuthorization(
  settings: SimulatorSettings,
  request: AuthorizationRequest,
  optimized: boolean,
): SimulatorDecision {
  const magicCode = magicDeclineCode(request.card);
  if (magicCode !== undefined) return { outcome: 'declined', code: magicCode };
  if (settings.approve_optimized_retry) {
    // A soft decline, so that a route with optimized_retry tries once more.
    return optimized ? { outcome: 'approved' } : { outcome: 'declined', code: DEFAULT_DECLINE_CODE };
  }
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
