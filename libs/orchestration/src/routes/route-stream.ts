import { Route, RouteCommand, routeDecider, streamName } from '@payments/domain';
import { CommandRunner, RunOptions } from '../command-handling/command-runner';

/** What a route command answers. */
export interface RouteChange {
  /** The route after the command, deleted or not. */
  route: Route;
  /**
   * Global position of the last event the command recorded, for read-your-writes
   * (`ProjectionsService.waitFor`); undefined when it recorded nothing.
   */
  position: bigint | undefined;
}

/** Decides a route command on the route's own stream, which also counts the route's references. */
export async function runRouteCommand(runner: CommandRunner, command: RouteCommand, options: RunOptions): Promise<RouteChange> {
  const result = await runner.run(streamName('route', command.routeId), routeDecider, command, options);
  // The decider refuses every command but CreateRoute on a route that does not exist.
  if (result.state.status === 'none') throw new Error(`route ${command.routeId} does not exist after ${command.type}`);
  return { route: result.state.route, position: result.position };
}
