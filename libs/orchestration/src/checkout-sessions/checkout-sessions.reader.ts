import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CheckoutSession, Clock, SessionStatus, notFound } from '@payments/domain';
import { ReadModelStore } from '@payments/read-models';
import { checkoutSessions, listCheckoutSessions, overdueCheckoutSessions } from '@payments/read-models/projections/checkout-sessions';
import { ProjectionsService } from '../projections/projections.service';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { CLOCK } from '../tokens';
import { CheckoutSessionLinks } from './checkout-session-links';
import { CheckoutSessionStream } from './checkout-session-stream';
import { ExpireOverdueSessions, ExpiredOverdueSessions } from './expire-checkout-sessions';

export interface CheckoutSessionsPage {
  items: CheckoutSession[];
  total: number;
  /** The time the page is exact at: present each session's status as of this instant. */
  now: Date;
}

/** Reads of checkout sessions: one from its stream (the source of truth), lists from the read model. */
@Injectable()
export class CheckoutSessionsReader {
  constructor(
    private readonly sessions: CheckoutSessionStream,
    private readonly links: CheckoutSessionLinks,
    private readonly commands: CommandBus,
    private readonly projections: ProjectionsService,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Another account's session reads as missing. */
  session(accountId: string, sessionId: string): Promise<CheckoutSession> {
    return this.sessions.load(accountId, sessionId);
  }

  /**
   * The session a hosted checkout page's secure token opens, whichever account's: the token is
   * the access (checkout-session-links.ts). Missing (404) for a token this service did not issue.
   */
  sessionOfLink(secureToken: string): Promise<CheckoutSession> {
    const sessionId = this.links.sessionIdOf(secureToken);
    if (sessionId === undefined) throw notFound('no checkout session for this link');
    return this.sessions.loadAnyAccount(sessionId);
  }

  /**
   * The account's sessions newest first, optionally of one status. The status filter must treat
   * a session past `expires_at` as expired even before the sweeper got to it, so the account's
   * overdue sessions are expired first and the page is read once the read model has them: every
   * open session listed then expires after `now`, or has a payment running that may complete it.
   */
  async list(accountId: string, query: { status?: SessionStatus; limit: number; offset: number }): Promise<CheckoutSessionsPage> {
    const now = this.clock.now();
    const overdue = await overdueCheckoutSessions(this.store, now, { accountId });
    if (overdue.length > 0) {
      const { position } = await this.commands.execute<ExpireOverdueSessions, ExpiredOverdueSessions>(
        new ExpireOverdueSessions(accountId, overdue.map((session) => session.id)),
      );
      if (position !== undefined) await this.projections.waitFor(position, undefined, [checkoutSessions]);
    }
    return { ...(await listCheckoutSessions(this.store, accountId, query)), now };
  }
}
