import { CardNetwork } from '../card/networks';
import { Processor, supportsCurrency, supportsNetwork } from '../processor/processor';

/** A processor as routing sees it when a tier starts. */
export type ProcessorSnapshot = Pick<Processor, 'id' | 'status' | 'supported_currencies' | 'supported_networks' | 'fees'>;

export type SkipReason = 'unavailable' | 'unsupported_currency' | 'unsupported_network' | 'not_in_attempts';

export function processorSnapshot({ id, status, supported_currencies, supported_networks, fees }: ProcessorSnapshot): ProcessorSnapshot {
  return { id, status, supported_currencies, supported_networks, fees };
}

/**
 * Why the cascade cannot call a processor for this currency and network, or null when it can.
 * A processor the tier names but the account no longer has is as good as unavailable.
 */
export function skipReason(processor: ProcessorSnapshot | undefined, currency: string, network: CardNetwork): Exclude<SkipReason, 'not_in_attempts'> | null {
  if (processor === undefined || processor.status !== 'active') return 'unavailable';
  if (!supportsCurrency(processor, currency)) return 'unsupported_currency';
  if (!supportsNetwork(processor, network)) return 'unsupported_network';
  return null;
}
