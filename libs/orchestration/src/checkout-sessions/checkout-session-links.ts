import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Settings, cardFingerprintKey } from '../settings';
import { SETTINGS } from '../tokens';

/** Keeps these HMACs apart from the card fingerprints made with the same key. */
const PURPOSE = 'checkout_session_token:';
/** 128 bits of the HMAC, as hex: unguessable without the key. */
const SIGNATURE_LENGTH = 32;
const TOKEN_SHAPE = /^(cs_[a-z]+_[A-Za-z0-9]+)_([0-9a-f]{32})$/;

/**
 * The hosted checkout page's link of a session. Its secure token is
 * `<session id>_<first 32 hex digits of HMAC-SHA256(CARD_FINGERPRINT_SECRET, "checkout_session_token:" + session id)>`:
 * derived, never stored, so events hold no token, every process recomputes it for a GET, and the
 * page checks a presented token in constant time without a lookup. Changing the secret
 * invalidates the links of open sessions (and changes card fingerprints).
 */
@Injectable()
export class CheckoutSessionLinks {
  private readonly key: string;
  private readonly publicUrl: string;

  constructor(@Inject(SETTINGS) settings: Settings) {
    this.key = cardFingerprintKey(settings);
    this.publicUrl = settings.publicUrl;
  }

  secureToken(sessionId: string): string {
    return `${sessionId}_${this.signature(sessionId)}`;
  }

  /** The hosted checkout page, `GET /checkout/{secure_token}`. */
  url(sessionId: string): string {
    return `${this.publicUrl}/checkout/${this.secureToken(sessionId)}`;
  }

  /** The session a presented token opens; undefined for anything this service did not issue. */
  sessionIdOf(secureToken: string): string | undefined {
    const match = TOKEN_SHAPE.exec(secureToken);
    if (!match) return undefined;
    const [, sessionId, signature] = match;
    return timingSafeEqual(Buffer.from(signature), Buffer.from(this.signature(sessionId))) ? sessionId : undefined;
  }

  private signature(sessionId: string): string {
    return createHmac('sha256', this.key).update(PURPOSE + sessionId).digest('hex').slice(0, SIGNATURE_LENGTH);
  }
}
