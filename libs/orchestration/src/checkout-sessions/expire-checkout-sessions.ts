import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@payments/domain';
import { CommandMetadata } from '../command-handling/handle-command';
import { CheckoutSessionStream, SessionChange } from './checkout-session-stream';

/** `POST /v1/checkout/sessions/{id}/expire`: open -> expired, else 409. */
export class ExpireCheckoutSession {
  constructor(
    readonly accountId: string,
    readonly sessionId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(ExpireCheckoutSession)
export class ExpireCheckoutSessionHandler implements ICommandHandler<ExpireCheckoutSession, SessionChange> {
  constructor(private readonly sessions: CheckoutSessionStream) {}

  execute({ accountId, sessionId, metadata }: ExpireCheckoutSession): Promise<SessionChange> {
    return this.sessions.run({ type: 'ExpireCheckoutSession', accountId, sessionId, reason: 'manual' }, metadata);
  }
}

/**
 * Records the automatic expiry of those of the sessions that are past `expires_at` and releases
 * their routes, without waiting for the sweeper: for the sessions list, and for a route delete
 * that must not be refused because of a session that has just expired. Sessions already
 * complete or expired have their routes released again (the sweeper may be half-way through
 * them); sessions not due, with a payment running or unknown are left as they are.
 */
export class ExpireOverdueSessions {
  constructor(
    readonly accountId: string,
    readonly sessionIds: readonly string[],
    readonly metadata: CommandMetadata = {},
  ) {}
}

export interface ExpiredOverdueSessions {
  /** The sessions this command expired. */
  expiredSessionIds: string[];
  /** Global position of the last event recorded (expiry or detach), for read-your-writes; undefined when none was. */
  position: bigint | undefined;
}

@CommandHandler(ExpireOverdueSessions)
export class ExpireOverdueSessionsHandler implements ICommandHandler<ExpireOverdueSessions, ExpiredOverdueSessions> {
  constructor(private readonly sessions: CheckoutSessionStream) {}

  async execute({ accountId, sessionIds, metadata }: ExpireOverdueSessions): Promise<ExpiredOverdueSessions> {
    const expiredSessionIds: string[] = [];
    let position: bigint | undefined;
    for (const sessionId of sessionIds) {
      const change = await this.expire(accountId, sessionId, metadata);
      position = change?.position ?? position;
      if (change?.events.length) expiredSessionIds.push(sessionId);
    }
    return { expiredSessionIds, position };
  }

  private async expire(accountId: string, sessionId: string, metadata: CommandMetadata): Promise<SessionChange | undefined> {
    try {
      // Without a request behind it, an expiry belongs to the session's own flow.
      return await this.sessions.run({ type: 'ExpireCheckoutSession', accountId, sessionId, reason: 'automatic' }, { correlationId: sessionId, ...metadata });
    } catch (error) {
      // Not due yet (conflict) or no such session of this account (not found): nothing to expire.
      if (error instanceof DomainError && (error.kind === 'conflict' || error.kind === 'not_found')) return undefined;
      throw error;
    }
  }
}
