import { CARD_NETWORKS, CardNetwork } from '../card/networks';
import { Processor, supportsCurrency, supportsNetwork } from './processor';

export interface PaymentMethod {
  type: CardNetwork;
  /** Active processors that take this network (and the currency, when one is asked for), in the order given. */
  processor_ids: string[];
}

/** The card networks that at least one active processor can take for the currency. */
export function paymentMethods(processors: readonly Processor[], currency?: string): PaymentMethod[] {
  const usable = processors.filter((p) => p.status === 'active' && (currency === undefined || supportsCurrency(p, currency)));
  return CARD_NETWORKS.map((network) => ({
    type: network,
    processor_ids: usable.filter((p) => supportsNetwork(p, network)).map((p) => p.id),
  })).filter((method) => method.processor_ids.length > 0);
}
