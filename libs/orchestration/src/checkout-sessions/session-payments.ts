import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SessionPaymentOutcome } from '@payments/domain';
import { CommandMetadata } from '../command-handling/handle-command';
import { CheckoutSessionStream, SessionChange } from './checkout-session-stream';

/** A payment starts on the session: one at a time; 409 when paid or another runs, 410 when expired. */
export class BeginSessionPayment {
  constructor(
    readonly accountId: string,
    readonly sessionId: string,
    readonly paymentId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(BeginSessionPayment)
export class BeginSessionPaymentHandler implements ICommandHandler<BeginSessionPayment, SessionChange> {
  constructor(private readonly sessions: CheckoutSessionStream) {}

  execute({ accountId, sessionId, paymentId, metadata }: BeginSessionPayment): Promise<SessionChange> {
    return this.sessions.run({ type: 'BeginSessionPayment', accountId, sessionId, paymentId }, metadata);
  }
}

/**
 * The session's running payment has ended. `succeeded` completes the session (`complete` /
 * `paid`) and releases its routes; `failed` leaves it open for another try. Safe to repeat.
 */
export class EndSessionPayment {
  constructor(
    readonly accountId: string,
    readonly sessionId: string,
    readonly paymentId: string,
    readonly outcome: SessionPaymentOutcome,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(EndSessionPayment)
export class EndSessionPaymentHandler implements ICommandHandler<EndSessionPayment, SessionChange> {
  constructor(private readonly sessions: CheckoutSessionStream) {}

  execute({ accountId, sessionId, paymentId, outcome, metadata }: EndSessionPayment): Promise<SessionChange> {
    return this.sessions.run({ type: 'EndSessionPayment', accountId, sessionId, paymentId, outcome }, metadata);
  }
}
