import { randomBytes } from 'node:crypto';
import { Clock, IdGenerator, IdPrefix, PaymentsEnv } from '@payments/domain';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `length` characters of base62 from the OS random source (rejection sampling keeps it unbiased). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export class RandomIdGenerator implements IdGenerator {
  constructor(private readonly env: PaymentsEnv) {}
  next(prefix: IdPrefix): string {
    return `${prefix}_${this.env}_${randomBase62(20)}`;
  }
}

export const systemClock: Clock = { now: () => new Date() };
