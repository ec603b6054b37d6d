import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import {
  AfterApprovalCommand,
  AfterApprovalState,
  CaptureOrVoid,
  IdGenerator,
  PaymentView,
  RefundReason,
  RefundView,
  findRefund,
  isId,
  notFound,
  pendingOperation,
  refundViews,
} from '@payments/domain';
import { Page, ReadModelStore } from '@payments/read-models';
import { paymentOfRefund, paymentOperations } from '@payments/read-models/projections/payment-operations';
import { payments } from '@payments/read-models/projections/payments';
import { CommandRunner } from '../../command-handling/command-runner';
import { CommandMetadata } from '../../command-handling/handle-command';
import { ProjectionsService } from '../../projections/projections.service';
import { READ_MODEL_STORE } from '../../projections/read-models.tokens';
import { Settings } from '../../settings';
import { ID_GENERATOR, SETTINGS } from '../../tokens';
import { waitAtMost } from '../pay-checkout-session';
import { PaymentsReader } from '../payments.reader';
import { loadAfterApproval, runAfterApproval } from './after-approval-stream';
import { OperationDriver } from './operation-driver';

/** How soon a request looks again at an operation its drive left pending without resting. */
const RECHECK_MS = 50;

/**
 * How a capture or void ended as far as the request can tell: done, refused by the processor (with
 * its code), or still waiting for the processor after PAY_WAIT_MS (the driver goes on).
 */
export type OperationAnswer = { outcome: 'succeeded'; payment: PaymentView } | { outcome: 'failed'; code: string | null; payment: PaymentView } | { outcome: 'pending'; payment: PaymentView };

/**
 * The operations after the approval (API.md "After the approval"), the use cases behind
 * `POST /v1/payments/{id}/capture`, `/void` and `/refunds` and the refund reads. Each records its
 * request on the payment's stream, has the OperationDriver send it to the processor that approved,
 * and answers once the processor has, or as it stands after PAY_WAIT_MS. Another account's payment
 * or refund reads as missing (404).
 */
@Injectable()
export class PaymentOperations {
  constructor(
    private readonly runner: CommandRunner,
    private readonly driver: OperationDriver,
    private readonly reader: PaymentsReader,
    private readonly projections: ProjectionsService,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /** Only a payment in requires_capture (409 otherwise); `amount` 1..authorized (422), default all. */
  capture(accountId: string, paymentId: string, amount: number | undefined, metadata: CommandMetadata): Promise<OperationAnswer> {
    return this.captureOrVoid(accountId, paymentId, { type: 'RequestCapture', paymentId, accountId, ...(amount !== undefined && { amount }) }, metadata);
  }

  /** Only a payment in requires_capture (409 otherwise). */
  void(accountId: string, paymentId: string, metadata: CommandMetadata): Promise<OperationAnswer> {
    return this.captureOrVoid(accountId, paymentId, { type: 'RequestVoid', paymentId, accountId }, metadata);
  }

  /**
   * A refund of a captured payment (409 otherwise): `amount` default all that is left, at most that
   * (422). Answers the refund pending, succeeded or failed.
   */
  async refund(accountId: string, paymentId: string, request: { amount?: number; reason: RefundReason | null }, metadata: CommandMetadata): Promise<RefundView> {
    const refundId = this.ids.next('re');
    await runAfterApproval(this.runner, { type: 'RequestRefund', paymentId, accountId, refundId, reason: request.reason, ...(request.amount !== undefined && { amount: request.amount }) }, metadata);
    const { state } = await this.settled(paymentId, (after) => findRefund(after, refundId)?.status !== 'pending');
    await this.showInLists(accountId, paymentId);
    return findRefund(state, refundId)!;
  }

  /** The payment's refunds, newest first. */
  async refunds(accountId: string, paymentId: string, page: { limit: number; offset: number }): Promise<Page<RefundView>> {
    const all = refundViews(await this.ownState(accountId, paymentId));
    return { items: all.slice(page.offset, page.offset + page.limit), total: all.length };
  }

  /** One refund, read from its payment's stream; the read model only says which payment that is. */
  async refundById(accountId: string, refundId: string): Promise<RefundView> {
    const paymentId = isId(refundId, 're') ? await paymentOfRefund(this.store, refundId) : undefined;
    const state = paymentId === undefined ? undefined : await this.ownState(accountId, paymentId).catch(() => undefined);
    const refund = state && findRefund(state, refundId);
    if (!refund) throw notFound(`no refund ${refundId}`);
    return refund;
  }

  private async captureOrVoid(accountId: string, paymentId: string, command: AfterApprovalCommand, metadata: CommandMetadata): Promise<OperationAnswer> {
    const { state } = await runAfterApproval(this.runner, command, metadata);
    // The operation just recorded, or the same one already under way that the request joined.
    const key = state.status === 'none' ? undefined : pendingOperation(state)?.idempotency_key;
    const operationOf = (after: AfterApprovalState): CaptureOrVoid | undefined => (after.status === 'none' ? undefined : after.operations.find((operation) => operation.idempotency_key === key));
    const settled = operationOf((await this.settled(paymentId, (after) => operationOf(after)?.status !== 'pending')).state);
    const payment = await this.showInLists(accountId, paymentId);
    if (settled?.status === 'failed') return { outcome: 'failed', code: settled.code, payment };
    return { outcome: settled?.status === 'succeeded' ? 'succeeded' : 'pending', payment };
  }

  /** Has the driver send what is pending, and answers the stream once `done` holds for it or PAY_WAIT_MS have passed. */
  private async settled(paymentId: string, done: (state: AfterApprovalState) => boolean) {
    const deadline = Date.now() + this.settings.payWaitMs;
    for (;;) {
      await waitAtMost(this.driver.drive(paymentId).then(() => true), Math.max(0, deadline - Date.now()));
      const loaded = await loadAfterApproval(this.runner, paymentId);
      // A drive that gave up rests (the sweeper carries on); one that ended just before this
      // request's operation was recorded is started again.
      if (done(loaded.state) || Date.now() >= deadline || this.driver.isBusy(paymentId)) return loaded;
      await sleep(Math.min(RECHECK_MS, Math.max(0, deadline - Date.now())));
    }
  }

  /** The payment as its stream stands, once the lists (payments, refunds by id) show it too. */
  private async showInLists(accountId: string, paymentId: string): Promise<PaymentView> {
    const { view, position } = await this.reader.payment(accountId, paymentId);
    await this.projections.waitFor(position, undefined, [payments, paymentOperations]);
    return view;
  }

  private async ownState(accountId: string, paymentId: string): Promise<AfterApprovalState> {
    const { state } = await loadAfterApproval(this.runner, paymentId);
    if (state.status === 'none' || state.account_id !== accountId) throw notFound(`no payment ${paymentId}`);
    return state;
  }
}
