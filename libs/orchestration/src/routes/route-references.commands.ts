import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { RouteChange, runRouteCommand } from './route-stream';

/**
 * Many sessions attach to one route at once, so a reference command re-reads and decides again
 * after a concurrent write. Safe: the decision sees the write it lost to, and a delete that won
 * makes an attach fail as an unknown route.
 */
const RETRIES = 20;

/**
 * Makes the session a reference of the route, which blocks its deletion until the session
 * detaches. Fails `invalid` (422) for a route that is unknown, deleted or of another account.
 */
export class AttachRouteToSession {
  constructor(
    readonly accountId: string,
    readonly routeId: string,
    readonly sessionId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(AttachRouteToSession)
export class AttachRouteToSessionHandler implements ICommandHandler<AttachRouteToSession, RouteChange> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ accountId, routeId, sessionId, metadata }: AttachRouteToSession): Promise<RouteChange> {
    return runRouteCommand(this.runner, { type: 'AttachRouteToSession', routeId, accountId, sessionId }, { metadata, retries: RETRIES });
  }
}

/** Releases the session's reference (the session completed or expired); records nothing when there is none. */
export class DetachRouteFromSession {
  constructor(
    readonly accountId: string,
    readonly routeId: string,
    readonly sessionId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

@CommandHandler(DetachRouteFromSession)
export class DetachRouteFromSessionHandler implements ICommandHandler<DetachRouteFromSession, RouteChange> {
  constructor(private readonly runner: CommandRunner) {}

  execute({ accountId, routeId, sessionId, metadata }: DetachRouteFromSession): Promise<RouteChange> {
    return runRouteCommand(this.runner, { type: 'DetachRouteFromSession', routeId, accountId, sessionId }, { metadata, retries: RETRIES });
  }
}
