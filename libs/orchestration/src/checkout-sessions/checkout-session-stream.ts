import { Injectable } from '@nestjs/common';
import { CheckoutSession, CheckoutSessionCommand, CheckoutSessionEvent, checkoutSessionDecider, isId, notFound, sessionRouteIds, streamName } from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { SessionRouteReferences } from './session-route-references';

export interface SessionChange {
  session: CheckoutSession;
  /** What the command recorded on the session; none when it found nothing to do. */
  events: CheckoutSessionEvent[];
  /** Global position of the last event recorded on the session or its routes, for read-your-writes; undefined when none was. */
  position: bigint | undefined;
}

/** Every command on an existing session goes through here, so that none forgets to release its routes. */
@Injectable()
export class CheckoutSessionStream {
  constructor(
    private readonly runner: CommandRunner,
    private readonly routes: SessionRouteReferences,
  ) {}

  /** The session as stored; another account's reads as missing. */
  async load(accountId: string, sessionId: string): Promise<CheckoutSession> {
    const session = await this.loadAnyAccount(sessionId);
    if (session.accountId !== accountId) throw notFound(`no checkout session ${sessionId}`);
    return session;
  }

  /** The session as stored, whichever account's: only for a caller that proved access otherwise (the hosted page's secure token). */
  async loadAnyAccount(sessionId: string): Promise<CheckoutSession> {
    const state = await this.runner.load(streamOf(sessionId), checkoutSessionDecider);
    if (state.status !== 'created') throw notFound(`no checkout session ${sessionId}`);
    return state.session;
  }

  /**
   * Decides the command on the session's stream (re-deciding after a concurrent change) and,
   * when the session is complete or expired after it, detaches the session from its routes:
   * again too when a repeated command finds it settled already, since detaching is idempotent
   * and the first release may have been cut short. A crash before the detach leaves the session
   * in the sweeper's list of unreleased sessions, which detaches it.
   */
  async run(command: Exclude<CheckoutSessionCommand, { type: 'CreateCheckoutSession' }>, metadata: CommandMetadata): Promise<SessionChange> {
    const ofAccount = { ...metadata, accountId: command.accountId };
    const result = await this.runner.run(streamOf(command.sessionId), checkoutSessionDecider, command, { metadata: ofAccount, retries: 5 });
    if (result.state.status !== 'created') throw notFound(`no checkout session ${command.sessionId}`);
    const session = result.state.session;
    const released = session.status === 'open' ? undefined : await this.routes.release(session.accountId, session.id, sessionRouteIds(session), ofAccount);
    return { session, events: result.events, position: released ?? result.position };
  }
}

/** Ids come from URLs: anything not shaped like a session id is missing, and stays out of stream names. */
function streamOf(sessionId: string): string {
  if (!isId(sessionId, 'cs')) throw notFound(`no checkout session ${sessionId}`);
  return streamName('checkout_session', sessionId);
}
