import { Inject, Injectable } from '@nestjs/common';
import { AUTH_RATE_DEFAULTS, Account, ApprovalSegment, RoutePolicy, TierRouting, invalid, processorSnapshot, routeDecider, routePolicyOf, streamName } from '@payments/domain';
import { ReadModelStore } from '@payments/read-models';
import { readApprovalStats } from '@payments/read-models/projections/approval-rates';
import { AccountsReader } from '../accounts/accounts.reader';
import { CommandRunner } from '../command-handling/command-runner';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';

/**
 * What a tier routes with, read when the tier starts (not when the payment started): its route
 * at the route's current revision, the account's processors and default processor as they are
 * now, and for an auth_rate route the listed processors' latest attempts in the payment's
 * segment, from the approval-rates read model as far as it has got. The tier records all of it
 * (TierStarted), so the rest of the tier never reads again and a replay needs no read model.
 */
@Injectable()
export class TierRoutingResolver {
  constructor(
    private readonly runner: CommandRunner,
    private readonly accounts: AccountsReader,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
  ) {}

  /** `segment`: the payment's card network and the tier's currency; `justRead`: the account, when the caller has just read it. */
  async resolve(accountId: string, routeId: string | null, segment: ApprovalSegment, justRead?: Account): Promise<TierRouting> {
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
      ...(route?.strategy === 'auth_rate' && { approval_stats: await this.approvalStats(route, segment) }),
    };
  }

  private approvalStats(route: RoutePolicy, segment: ApprovalSegment) {
    const window = route.auth_rate?.window ?? AUTH_RATE_DEFAULTS.window;
    return readApprovalStats(this.store, route.processors.map((entry) => entry.processor_id), segment, window);
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
