import { Injectable } from '@nestjs/common';
import { Account, RoutePolicy, TierRouting, invalid, processorSnapshot, routeDecider, routePolicyOf, streamName } from '@payments/domain';
import { AccountsReader } from '../accounts/accounts.reader';
import { CommandRunner } from '../command-handling/command-runner';

/**
 * What a tier routes with, read when the tier starts (not when the payment started): its route
 * at the route's current revision, and the account's processors and default processor as they
 * are now. The tier records all of it (TierStarted), so the rest of the tier never reads again.
 */
@Injectable()
export class TierRoutingResolver {
  constructor(
    private readonly runner: CommandRunner,
    private readonly accounts: AccountsReader,
  ) {}

  /** `justRead`: the account, when the caller has just read it. */
  async resolve(accountId: string, routeId: string | null, justRead?: Account): Promise<TierRouting> {
    const account = justRead ?? (await this.accounts.account(accountId));
    const [{ items }, route] = await Promise.all([
      this.accounts.processors(accountId, undefined, account),
      routeId === null ? null : this.routePolicy(accountId, routeId),
    ]);
    return {
      route,
      processors: items.map(({ processor }) => processorSnapshot(processor)),
      default_processor_id: account.defaultProcessorId,
      processor_revisions: Object.fromEntries(items.map(({ processor, revision }) => [processor.id, revision])),
    };
  }

  /**
   * A route deleted since the payment started still routes the tier with its last revision: the
   * payment chose the route when it started (only an account default, which sessions do not
   * hold a reference to, can be deleted meanwhile), and a customer's payment should not fail
   * for an edit of the merchant's configuration in between.
   */
  private async routePolicy(accountId: string, routeId: string): Promise<RoutePolicy> {
    const state = await this.runner.load(streamName('route', routeId), routeDecider);
    // Payments take route ids from their session and account, which name only live routes of their
    // own: a route that cannot be read will not become readable, and the saga ends the payment.
    if (state.status === 'none' || state.route.accountId !== accountId) throw invalid(`route ${routeId} of a payment of account ${accountId} does not exist`);
    return routePolicyOf(state.route);
  }
}
