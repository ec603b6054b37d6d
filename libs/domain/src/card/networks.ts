/** Card networks the service routes on: the ones derived from a BIN, then debit networks named by the caller. */
export const BIN_NETWORKS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'diners'] as const;
export const DEBIT_NETWORKS = ['star', 'nyce', 'accel', 'pulse', 'maestro'] as const;
export const CARD_NETWORKS = [...BIN_NETWORKS, ...DEBIT_NETWORKS] as const;
export type CardNetwork = (typeof CARD_NETWORKS)[number];

export function isCardNetwork(value: unknown): value is CardNetwork {
  return typeof value === 'string' && (CARD_NETWORKS as readonly string[]).includes(value);
}
