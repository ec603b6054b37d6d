import { Injectable } from '@nestjs/common';
import { DomainError, accountDecider, invalid, routeDecider, streamName } from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { runRouteCommand } from '../routes/route-stream';
import { AccountsReader } from './accounts.reader';

/** How often a change starts again after another change of the same account's default route got in first. */
const RETRIES = 5;

/**
 * Moves an account's default route. The route stream counts the account default as a reference
 * (it blocks a delete), so three streams change, in this order:
 * 1. SetRouteAsAccountDefault on the new route: refuses an unknown, deleted or foreign route
 *    (422) before the account names it, and claims it.
 * 2. AccountDefaultRouteChanged on the account, only if no other change of its default came
 *    after the account was read (else everything starts again).
 * 3. UnsetRouteAsAccountDefault on the previous route, unless it was claimed again after this
 *    change read its claims (before step 2): a concurrent change is making it the default again
 *    and would otherwise be left without its reference.
 * A crash after step 1 or 2 leaves at worst an extra reference (a route claimed that the account
 * no longer names, which cannot be deleted), never an account default without its reference.
 * Setting that route as the default and then moving away from it again releases it.
 */
@Injectable()
export class AccountDefaultRoute {
  constructor(
    private readonly runner: CommandRunner,
    private readonly accounts: AccountsReader,
  ) {}

  /** Answers the position of the last event written, undefined when the default already was `routeId`. */
  async change(accountId: string, routeId: string | null, metadata: CommandMetadata): Promise<bigint | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.changeOnce(accountId, routeId, metadata);
      } catch (error) {
        // The account refused step 2: its default changed after it was read.
        if (error instanceof DomainError && error.kind === 'conflict' && attempt < RETRIES) continue;
        throw error;
      }
    }
  }

  private async changeOnce(accountId: string, routeId: string | null, metadata: CommandMetadata): Promise<bigint | undefined> {
    const { defaultRouteId: previous, defaultRouteChanges: changesSeen } = await this.accounts.account(accountId);
    if (previous === routeId) return undefined;
    const claimsSeen = previous === null ? 0 : await this.claimsOf(previous);
    const options = { metadata, retries: RETRIES };
    const claimed = routeId === null ? undefined : await this.claim(accountId, routeId, metadata);
    const changed = await this.runner.run(streamName('account', accountId), accountDecider, { type: 'SetDefaultRoute', accountId, routeId, changesSeen }, options);
    // Nothing recorded: concurrent changes made `routeId` the default, releasing `previous` on the way.
    if (changed.position === undefined) return claimed?.position;
    if (previous === null) return changed.position;
    const released = await runRouteCommand(this.runner, { type: 'UnsetRouteAsAccountDefault', routeId: previous, accountId, claimsSeen }, options);
    return released.position ?? changed.position;
  }

  /** Step 1; the route stream refuses an unknown, deleted or foreign route as an unknown id. */
  private async claim(accountId: string, routeId: string, metadata: CommandMetadata) {
    try {
      return await runRouteCommand(this.runner, { type: 'SetRouteAsAccountDefault', routeId, accountId }, { metadata, retries: RETRIES });
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid') throw invalid(error.message, [{ field: 'default_processor_route_id', message: error.message }]);
      throw error;
    }
  }

  private async claimsOf(routeId: string): Promise<number> {
    const state = await this.runner.load(streamName('route', routeId), routeDecider);
    return state.status === 'none' ? 0 : state.route.accountDefaultClaims;
  }
}
