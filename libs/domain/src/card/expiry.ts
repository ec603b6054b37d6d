/**
 * A card is valid through the last moment of its expiry month. Months are counted in UTC so
 * the answer does not depend on where the service runs.
 */
export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  // Date.UTC takes a zero-based month, so the one-based exp_month is the month after expiry.
  return now.getTime() >= Date.UTC(fullYear(expYear), expMonth, 1);
}

/** Two-digit years mean 20xx, as card faces print them (Stripe accepts both forms too). */
export function fullYear(expYear: number): number {
  return expYear < 100 ? 2000 + expYear : expYear;
}
