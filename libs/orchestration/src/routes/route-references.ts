import { Injectable } from '@nestjs/common';
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
 * The references of checkout sessions on routes, recorded on the route's own stream, which block
 * the route's deletion until the session detaches (DESIGN.md). Called directly by the session's
 * creation and release: they are steps of those, not commands of their own.
 */
@Injectable()
export class RouteReferences {
  constructor(private readonly runner: CommandRunner) {}

  /** Makes the session a reference of the route. Fails `invalid` (422) for a route that is unknown, deleted or of another account. */
  attach(accountId: string, routeId: string, sessionId: string, metadata: CommandMetadata): Promise<RouteChange> {
    return runRouteCommand(this.runner, { type: 'AttachRouteToSession', routeId, accountId, sessionId }, { metadata, retries: RETRIES });
  }

  /** Releases the session's reference (the session completed or expired); records nothing when there is none. */
  detach(accountId: string, routeId: string, sessionId: string, metadata: CommandMetadata): Promise<RouteChange> {
    return runRouteCommand(this.runner, { type: 'DetachRouteFromSession', routeId, accountId, sessionId }, { metadata, retries: RETRIES });
  }
}
