import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CardInput, CardSummary, Clock, summariseCard } from '@payments/domain';
import { Settings, cardFingerprintKey } from '../settings';
import { CLOCK, SETTINGS } from '../tokens';

/**
 * Where a card number stops: it is checked and reduced to its summary (last4, bin, network and
 * fingerprint) at the API edge, so commands, events, logs and answers never hold it.
 */
@Injectable()
export class PaymentCards {
  private readonly fingerprintKey: string;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.fingerprintKey = cardFingerprintKey(settings);
  }

  /** Refuses a card that fails Luhn, has expired or names no known network (422 with field paths). */
  summarise(card: CardInput): CardSummary {
    return summariseCard(card, { now: this.clock.now(), fingerprint: (digits) => this.fingerprint(digits) });
  }

  /** HMAC-SHA256(CARD_FINGERPRINT_SECRET, digits) as hex: the same card gives the same fingerprint, and it cannot be reversed without the key. */
  private fingerprint(digits: string): string {
    return createHmac('sha256', this.fingerprintKey).update(digits).digest('hex');
  }
}
