import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `PaymentKit-Signature` scheme (Stripe's): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Signing the timestamp with the body lets a receiver refuse replays of old requests. Used for
 * processor requests and webhook deliveries alike.
 */
export const SIGNATURE_HEADER = 'PaymentKit-Signature';

/** Receivers accept signatures this much older or newer than their own clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Several secrets give several `v1` values, in order: a webhook endpoint signs with its old secret too while a rotation overlaps. */
export function signPayload(secret: string | readonly string[], body: string, timestampSeconds: number): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${timestampSeconds}`, ...secrets.map((each) => `v1=${hmacHex(each, timestampSeconds, body)}`)].join(',');
}

export interface VerifySignatureOptions {
  nowSeconds: number;
  toleranceSeconds?: number;
}

/**
 * True when the header carries a `v1` signature of `body` by `secret` with a fresh timestamp.
 * Several `v1` entries are allowed so that a sender can sign with an old and a new secret while
 * it rotates them.
 */
export function verifySignature(secret: string, body: string, header: string, options: VerifySignatureOptions): boolean {
  const pairs = header.split(',').map((part) => part.trim().split('='));
  const timestamps = pairs.filter(([name]) => name === 't').map(([, value]) => value);
  if (timestamps.length !== 1 || !/^\d+$/.test(timestamps[0] ?? '')) return false;
  const timestamp = Number(timestamps[0]);
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS)) return false;

  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  return pairs
    .filter(([name, value]) => name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value as string, 'hex'), expected));
}
