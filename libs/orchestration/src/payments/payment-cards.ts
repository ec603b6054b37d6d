import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CardInput, CardSummary, Clock, binInfoOf, cardDigits, summariseCard } from '@payments/domain';
import type { BinLookup } from '@payments/read-models/bin-table';
import { BIN_TABLE } from '../bins/bin-table.module';
import { Settings, cardFingerprintKey } from '../settings';
import { CLOCK, SETTINGS } from '../tokens';

/**
 * Where a card number stops: it is checked and reduced to its summary (last4, bin, network,
 * fingerprint, and the BIN table's country and funding) at the API edge, so commands, events, logs and answers never hold it.
 */
@Injectable()
export class PaymentCards {
  private readonly fingerprintKey: string;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BIN_TABLE) private readonly bins: BinLookup,
  ) {
    this.fingerprintKey = cardFingerprintKey(settings);
  }

  /**
   * Refuses a card that fails Luhn, has expired or names no known network (422 with field paths).
   * The BIN table gives the country and funding, looked up here so that the domain stays pure.
   */
  summarise(card: CardInput): CardSummary {
    const bin = binInfoOf(this.bins.lookup(cardDigits(card.number)));
    return summariseCard(card, { now: this.clock.now(), fingerprint: (digits) => this.fingerprint(digits), bin });
  }

  /** HMAC-SHA256(CARD_FINGERPRINT_SECRET, digits) as hex: the same card gives the same fingerprint, and it cannot be reversed without the key. */
  private fingerprint(digits: string): string {
    return createHmac('sha256', this.fingerprintKey).update(digits).digest('hex');
  }
}
