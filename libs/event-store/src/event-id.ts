import { createHash, randomUUID } from 'node:crypto';

/**
 * A UUID (version 5 layout, SHA-256 based) derived from a name, so that a retried append
 * carries the same event id and the store treats it as already written.
 */
export function deterministicUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function randomEventId(): string {
  return randomUUID();
}
