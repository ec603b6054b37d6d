import { RoutePolicyProcessor } from './route-policy';

/**
 * A 32-bit hash of a payment id: FNV-1a, then murmur3's finaliser, because FNV-1a alone leaves
 * the low bits poorly mixed for ids that differ only in their last characters.
 */
export function paymentHash(paymentId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < paymentId.length; i++) {
    hash ^= paymentId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The payment's draw in 0..99: a function of its id alone, so a replay or a resumed saga draws the same. */
export function volumeSplitDraw(paymentId: string): number {
  return paymentHash(paymentId) % 100;
}

/**
 * The processor whose share of 0..99 holds the draw goes first (entry i owns `split_i` values,
 * in listed order); the rest keep their listed order. Splits are scaled to their total, so a
 * route whose splits do not add up to 100 still splits in proportion.
 */
export function volumeSplitOrder(entries: readonly RoutePolicyProcessor[], paymentId: string): string[] {
  const listed = entries.map((entry) => entry.processor_id);
  const total = entries.reduce((sum, entry) => sum + (entry.split ?? 0), 0);
  if (total <= 0) return listed;
  const point = (volumeSplitDraw(paymentId) * total) / 100;
  let running = 0;
  const first = entries.findIndex((entry) => (running += entry.split ?? 0) > point);
  return [listed[first], ...listed.filter((_, index) => index !== first)];
}
