import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CheckoutSession, Clock } from '@payments/domain';
import { ReadModelStore } from '@payments/read-models';
import { overdueCheckoutSessions, unreleasedCheckoutSessions } from '@payments/read-models/projections/checkout-sessions';
import { LeaseKeeper } from '../leases/lease-keeper';
import { PeriodicSweep } from '../periodic-sweep';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { CLOCK } from '../tokens';
import { ExpireOverdueSessions } from './expire-checkout-sessions';
import { SessionRouteReferences } from './session-route-references';

const SWEEP_INTERVAL_MS = 1000;
/** Most sessions one sweep expires, and most it releases: a backlog drains over several sweeps. */
const SWEEP_BATCH = 100;

/**
 * Expires open sessions once `expires_at` has passed (reason `automatic`), which releases their
 * routes, and finishes releases that a crash interrupted: complete or expired sessions that a
 * route still holds as attached. Works from the checkout sessions read model; every command it
 * sends is safe to repeat, so a lagging read model or another process sweeping too only costs
 * reads. Runs from application bootstrap until shutdown, in the process of the deployment that
 * holds the lease `sweeper:expired-sessions`.
 */
@Injectable()
export class ExpiredSessionsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sweeps = new PeriodicSweep(new Logger(ExpiredSessionsSweeper.name), SWEEP_INTERVAL_MS, () => this.sweep());

  constructor(
    private readonly commands: CommandBus,
    private readonly routes: SessionRouteReferences,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly leases: LeaseKeeper,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeps.start(this.leases, 'sweeper:expired-sessions');
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.sweeps.stop();
  }

  /** One pass: expire what is overdue, then release what is settled but still attached. */
  async sweep(): Promise<void> {
    const overdue = await overdueCheckoutSessions(this.store, this.clock.now(), { limit: SWEEP_BATCH });
    for (const [accountId, sessionIds] of byAccount(overdue)) {
      await this.commands.execute(new ExpireOverdueSessions(accountId, sessionIds)).catch((error: unknown) => this.sweeps.failed(`expire sessions of ${accountId}`, error));
    }
    for (const { session, attachedRouteIds } of await unreleasedCheckoutSessions(this.store, SWEEP_BATCH)) {
      await this.routes
        .release(session.accountId, session.id, attachedRouteIds, { accountId: session.accountId, correlationId: session.id })
        .catch((error: unknown) => this.sweeps.failed(`release the routes of ${session.id}`, error));
    }
  }

}

function byAccount(sessions: readonly CheckoutSession[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const session of sessions) ids.set(session.accountId, [...(ids.get(session.accountId) ?? []), session.id]);
  return ids;
}
