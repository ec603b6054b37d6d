import { Injectable, Logger } from '@nestjs/common';
import { CommandMetadata } from '../command-handling/handle-command';
import { RouteReferences } from '../routes/route-references';

/**
 * A session's references on its routes, kept by the route streams themselves (DESIGN.md), so a
 * route delete and an attach race on the route's revision and one of them is refused.
 *
 * Known gap: a crash between attaching and recording the session (or a failed compensation)
 * leaves routes attached to a session that does not exist, and they cannot be deleted. Nothing
 * reconciles that yet. A reconciler would find attachments whose session stream is still empty
 * after a grace period, fence the id by appending a tombstone to the session stream with
 * 'no_stream' (so a late create fails instead of recording an unreferenced session), then detach.
 */
@Injectable()
export class SessionRouteReferences {
  private readonly logger = new Logger(SessionRouteReferences.name);

  constructor(private readonly references: RouteReferences) {}

  /**
   * Attaches the session to each route, before the session is recorded: a crash in between
   * leaves an extra reference (a route that cannot be deleted), never a session whose route
   * could be. When a route refuses (deleted meanwhile), detaches the ones already attached
   * and throws what `refusal` makes of the route's error.
   */
  async attach(
    accountId: string,
    sessionId: string,
    routeIds: readonly string[],
    metadata: CommandMetadata,
    refusal: (routeId: string, error: unknown) => unknown,
  ): Promise<void> {
    const attached: string[] = [];
    for (const routeId of routeIds) {
      try {
        await this.references.attach(accountId, routeId, sessionId, metadata);
      } catch (error) {
        await this.releaseOrLog(accountId, sessionId, attached, metadata);
        throw refusal(routeId, error);
      }
      attached.push(routeId);
    }
  }

  /**
   * Detaches the session from each route; safe to repeat, as a detach of a session not attached
   * records nothing. Answers the global position of the last detach recorded, if any.
   */
  async release(accountId: string, sessionId: string, routeIds: readonly string[], metadata: CommandMetadata): Promise<bigint | undefined> {
    let last: bigint | undefined;
    for (const routeId of routeIds) {
      const { position } = await this.references.detach(accountId, routeId, sessionId, metadata);
      last = position ?? last;
    }
    return last;
  }

  /** For releases that must not hide the error being answered: what fails stays attached (the gap above). */
  async releaseOrLog(accountId: string, sessionId: string, routeIds: readonly string[], metadata: CommandMetadata): Promise<void> {
    await this.release(accountId, sessionId, routeIds, metadata).catch((error: unknown) =>
      this.logger.error(`checkout session ${sessionId} could not release routes ${routeIds.join(', ')}: ${String(error)}`),
    );
  }
}
