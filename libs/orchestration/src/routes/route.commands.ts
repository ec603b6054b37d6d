import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AccountProcessors, DomainError, IdGenerator, RouteDefinitionInput, RouteDefinitionPatch, routeDecider, streamName } from '@payments/domain';
import { ExpireOverdueSessions } from '../checkout-sessions/expire-checkout-sessions';
import { AccountsReader } from '../accounts/accounts.reader';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { ID_GENERATOR } from '../tokens';
import { RouteChange, runRouteCommand } from './route-stream';

/**
 * How often an update or delete re-reads the route and decides again after a concurrent write
 * to its stream. Safe: the decision validates the definition and counts the references again.
 */
const RETRIES = 5;

export class CreateRoute {
  constructor(
    readonly accountId: string,
    readonly definition: RouteDefinitionInput,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(CreateRoute)
export class CreateRouteHandler implements ICommandHandler<CreateRoute, RouteChange> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly accounts: AccountsReader,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async execute({ accountId, definition, metadata }: CreateRoute): Promise<RouteChange> {
    const accountProcessors = await processorsOf(this.accounts, accountId);
    // A new id's stream has no other writer: a conflict would be an id collision, never worth a retry.
    return runRouteCommand(this.runner, { type: 'CreateRoute', routeId: this.ids.next('proute'), accountId, definition, accountProcessors }, { metadata });
  }
}

export class UpdateRoute {
  constructor(
    readonly accountId: string,
    readonly routeId: string,
    readonly changes: RouteDefinitionPatch,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(UpdateRoute)
export class UpdateRouteHandler implements ICommandHandler<UpdateRoute, RouteChange> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly accounts: AccountsReader,
  ) {}

  async execute({ accountId, routeId, changes, metadata }: UpdateRoute): Promise<RouteChange> {
    const accountProcessors = await processorsOf(this.accounts, accountId);
    return runRouteCommand(this.runner, { type: 'UpdateRoute', routeId, accountId, changes, accountProcessors }, { metadata, retries: RETRIES });
  }
}

export class DeleteRoute {
  constructor(
    readonly accountId: string,
    readonly routeId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

/**
 * Refused (conflict) while a session or the account default references the route; the route
 * stream counts them. Sessions past their expiry read as expired everywhere, so a refusal that
 * names such sessions expires them (releasing the route) and tries once more, rather than
 * waiting for the sweeper's next pass.
 */
@CommandHandler(DeleteRoute)
export class DeleteRouteHandler implements ICommandHandler<DeleteRoute, RouteChange> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly commands: CommandBus,
  ) {}

  async execute({ accountId, routeId, metadata }: DeleteRoute): Promise<RouteChange> {
    const remove = () => runRouteCommand(this.runner, { type: 'DeleteRoute', routeId, accountId }, { metadata, retries: RETRIES });
    try {
      return await remove();
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      const state = await this.runner.load(streamName('route', routeId), routeDecider);
      if (state.status !== 'active' || state.route.sessionIds.length === 0) throw error;
      await this.commands.execute(new ExpireOverdueSessions(accountId, state.route.sessionIds, metadata));
      return remove();
    }
  }
}

/** Processors never leave an account, so the list read here cannot lose one before the route is written. */
async function processorsOf(accounts: AccountsReader, accountId: string): Promise<AccountProcessors> {
  const { processorIds } = await accounts.account(accountId);
  return processorIds.map((id) => ({ id }));
}
