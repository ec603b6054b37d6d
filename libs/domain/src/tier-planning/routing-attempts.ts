import { CardNetwork, isCardNetwork } from '../card/networks';
import { FieldError, invalid } from '../shared/errors';
import { supportsNetwork } from '../processor/processor';
import { ProcessorSnapshot } from './skip-reasons';

/** One entry of a payment's `routing.attempts`: a processor, or a network for the tier to place. */
export type RoutingAttempt = { processor_id: string } | { network: CardNetwork };

/** An attempt as the request carries it, before it is checked. */
export interface RoutingAttemptInput {
  processor_id?: string;
  network?: string;
}

export const MAX_ROUTING_ATTEMPTS = 10;
const FIELD = 'routing.attempts';

/**
 * Checks `routing.attempts` (API.md "Payments"): 1..10 entries, each naming exactly one of a
 * processor of the account or a known network, no two alike. Every broken rule is reported at
 * once as one `invalid` error (422).
 */
export function parseRoutingAttempts(input: readonly RoutingAttemptInput[], accountProcessorIds: readonly string[]): RoutingAttempt[] {
  const errors: FieldError[] = [];
  if (input.length < 1 || input.length > MAX_ROUTING_ATTEMPTS) {
    errors.push({ field: FIELD, message: `must list 1 to ${MAX_ROUTING_ATTEMPTS} attempts` });
  }
  const attempts: RoutingAttempt[] = [];
  const seen = new Set<string>();
  input.forEach((entry, index) => {
    const field = `${FIELD}[${index}]`;
    const attempt = parseAttempt(entry, field, accountProcessorIds, errors);
    if (attempt === undefined) return;
    const key = 'processor_id' in attempt ? `processor:${attempt.processor_id}` : `network:${attempt.network}`;
    if (seen.has(key)) errors.push({ field, message: 'repeats an earlier attempt' });
    seen.add(key);
    attempts.push(attempt);
  });
  if (errors.length > 0) throw invalid('routing.attempts is not valid', errors);
  return attempts;
}

function parseAttempt(entry: RoutingAttemptInput, field: string, accountProcessorIds: readonly string[], errors: FieldError[]): RoutingAttempt | undefined {
  const { processor_id, network } = entry;
  if ((processor_id === undefined) === (network === undefined)) {
    errors.push({ field, message: 'must name either a processor_id or a network' });
    return undefined;
  }
  if (processor_id !== undefined) {
    if (accountProcessorIds.includes(processor_id)) return { processor_id };
    errors.push({ field: `${field}.processor_id`, message: `unknown processor ${processor_id}` });
    return undefined;
  }
  if (isCardNetwork(network)) return { network };
  errors.push({ field: `${field}.network`, message: `unknown card network ${network}` });
  return undefined;
}

/** A processor call the cascade plans, and the network it routes the card over. */
export interface AttemptSlot {
  processor_id: string;
  network: CardNetwork;
}

/**
 * Turns a payment's attempts into one tier's slots, in the attempts' order. The tier's order
 * bounds them: a processor attempt for a processor the tier does not route to, or a network
 * attempt no processor of the tier supports, has no slot in that tier. A processor attempt routes
 * the card's own network; a network attempt takes the first processor of the tier's order that
 * supports that network and routes over it, so `{network: "star"}` after `{processor_id: B}` can
 * send the same dual-network debit card to B again, this time over star.
 */
export function attemptSlots(
  attempts: readonly RoutingAttempt[],
  order: readonly string[],
  cardNetwork: CardNetwork,
  processors: ReadonlyMap<string, ProcessorSnapshot>,
): AttemptSlot[] {
  return attempts.flatMap((attempt): AttemptSlot[] => {
    if ('processor_id' in attempt) return order.includes(attempt.processor_id) ? [{ processor_id: attempt.processor_id, network: cardNetwork }] : [];
    const processorId = order.find((id) => {
      const processor = processors.get(id);
      return processor !== undefined && supportsNetwork(processor, attempt.network);
    });
    return processorId === undefined ? [] : [{ processor_id: processorId, network: attempt.network }];
  });
}
