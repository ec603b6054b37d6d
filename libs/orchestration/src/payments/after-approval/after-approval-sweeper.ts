import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AUTHORIZATION_VALIDITY_MS, Clock, DomainError } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import { ProjectionRunner, ReadModelStore } from '@payments/read-models';
import { authorizationsMadeBefore, paymentOperations, paymentsWithPendingOperations } from '@payments/read-models/projections/payment-operations';
import { CommandRunner } from '../../command-handling/command-runner';
import { LeaseKeeper } from '../../leases/lease-keeper';
import { PeriodicSweep } from '../../periodic-sweep';
import { READ_MODEL_STORE } from '../../projections/read-models.tokens';
import { CLOCK, EVENT_STORE } from '../../tokens';
import { loadAfterApproval, runAfterApproval } from './after-approval-stream';
import { OperationDriver } from './operation-driver';

const SWEEP_INTERVAL_MS = 1000;
/** Most payments one sweep expires, and most it resumes: a backlog drains over several sweeps. */
const SWEEP_BATCH = 100;

/**
 * Voids the authorizations not captured within AUTHORIZATION_VALIDITY_MS (ExpireAuthorization,
 * then AuthorizationExpired once the processor has voided), and hands every payment with a
 * capture, void or refund still waiting for its processor to the OperationDriver: those a previous
 * run left (a crash after the `...Requested` event) and those whose drive gave up for a while.
 *
 * Works from the payment_operations read model, whose checkpoint it first brings to the end of the
 * log with a runner of its own (compare-and-set, so it competes safely with the service's), so
 * nothing a previous run left is missed however far the projections lagged. Every command it sends
 * is safe to repeat, so a lagging read model or another process sweeping too costs only reads.
 * It sweeps in the process of the deployment holding the lease `sweeper:after-approval`, which
 * catches up first each time it takes the lease. The time is the service's clock, which tests move.
 */
@Injectable()
export class AfterApprovalSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sweeps = new PeriodicSweep(new Logger(AfterApprovalSweeper.name), SWEEP_INTERVAL_MS, () => this.sweep());

  constructor(
    private readonly runner: CommandRunner,
    private readonly driver: OperationDriver,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly leases: LeaseKeeper,
  ) {}

  /** The first sweep follows the catch-up at once, in the background: the service answers meanwhile. */
  onApplicationBootstrap(): void {
    const catchUpThenSweep = () => new ProjectionRunner(paymentOperations, this.events, this.store).catchUp().then(() => this.sweep());
    this.sweeps.start(this.leases, 'sweeper:after-approval', { what: 'resume the operations a previous run left', run: catchUpThenSweep });
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.sweeps.stop();
  }

  /** One pass: expire what is due, then resume what waits for a processor. */
  async sweep(): Promise<void> {
    const due = new Date(this.clock.now().getTime() - AUTHORIZATION_VALIDITY_MS);
    for (const paymentId of await authorizationsMadeBefore(this.store, due, SWEEP_BATCH)) {
      await this.expire(paymentId).catch((error: unknown) => this.sweeps.failed(`expire the authorization of ${paymentId}`, error));
    }
    for (const paymentId of await paymentsWithPendingOperations(this.store, SWEEP_BATCH)) {
      // Not awaited: a processor may take long, and one payment must not hold up the others.
      if (!this.driver.isBusy(paymentId)) void this.driver.drive(paymentId);
    }
  }

  private async expire(paymentId: string): Promise<void> {
    const { state } = await loadAfterApproval(this.runner, paymentId);
    if (state.status !== 'requires_capture') return;
    try {
      // Without a request behind it, an expiry belongs to the payment's own flow.
      await runAfterApproval(this.runner, { type: 'ExpireAuthorization', paymentId }, { accountId: state.account_id, correlationId: paymentId });
    } catch (error) {
      // Not due by the decider's reading of the clock: the next sweep comes back.
      if (error instanceof DomainError && error.kind === 'conflict') return;
      throw error;
    }
    void this.driver.drive(paymentId);
  }

}
