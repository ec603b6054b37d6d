import { Inject, Injectable } from '@nestjs/common';
import { SessionPaymentOutcome } from '@payments/domain';
import { CommandMetadata } from '../command-handling/handle-command';
import { Settings } from '../settings';
import { SETTINGS } from '../tokens';
import { CheckoutSessionStream, SessionChange } from './checkout-session-stream';

/** The session side of a payment: its beginning and its end, as steps of the pay and of the saga. */
@Injectable()
export class SessionPayments {
  constructor(
    private readonly sessions: CheckoutSessionStream,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /**
   * A payment starts on the session: one at a time; 409 when paid or another runs, 410 when
   * expired, 429 (FailedPaymentsLimitReached) after SESSION_MAX_FAILED_PAYMENTS failed payments.
   */
  begin(accountId: string, sessionId: string, paymentId: string, metadata: CommandMetadata): Promise<SessionChange> {
    return this.sessions.run({ type: 'BeginSessionPayment', accountId, sessionId, paymentId, maxFailedPayments: this.settings.sessionMaxFailedPayments }, metadata);
  }

  /**
   * The session's running payment has ended. `succeeded` completes the session (`complete` /
   * `paid`) and releases its routes; `failed` leaves it open for another try. Safe to repeat.
   */
  end(accountId: string, sessionId: string, paymentId: string, outcome: SessionPaymentOutcome, metadata: CommandMetadata): Promise<SessionChange> {
    return this.sessions.run({ type: 'EndSessionPayment', accountId, sessionId, paymentId, outcome }, metadata);
  }
}
