import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { CardSummary, CheckoutSession, IdGenerator, PaymentTier, PaymentView, RoutingAttemptInput, conflict, parseRoutingAttempts, paymentDecider } from '@payments/domain';
import { checkoutSessions } from '@payments/read-models/projections/checkout-sessions';
import { payments } from '@payments/read-models/projections/payments';
import { AccountsReader } from '../accounts/accounts.reader';
import { CheckoutSessionsReader } from '../checkout-sessions/checkout-sessions.reader';
import { CardTestingDefence, PublicPayer } from '../checkout-sessions/card-testing-defence';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { ProjectionsService } from '../projections/projections.service';
import { Settings } from '../settings';
import { ID_GENERATOR, SETTINGS } from '../tokens';
import { PaymentCascade } from './payment-cascade';
import { PaymentRecovery } from './payment-recovery';
import { LoadedPayment, runPaymentCommand } from './payment-stream';
import { PaymentsReader } from './payments.reader';
import { SESSION_PAY_LOCK, SessionPayLock } from './session-pay-lock';
import { TierRoutingResolver } from './tier-routing';

/** `POST /v1/checkout/sessions/{id}/pay`, as the API edge maps it. */
export class AttemptPayment {
  constructor(
    readonly accountId: string,
    readonly sessionId: string,
    /** The card as the API edge summarised it: never its number or cvc. */
    readonly card: CardSummary,
    /** `routing.attempts` as requested; undefined: the tiers' routes alone decide. */
    readonly attempts: readonly RoutingAttemptInput[] | undefined,
    readonly metadata: CommandMetadata,
    /** Set for a pay through the hosted page or with a publishable token: its card and address are limited too. */
    readonly publicPayer?: PublicPayer,
  ) {}
}

export interface AttemptedPayment {
  paymentId: string;
  /**
   * Settles once the payment has finished and its session knows, with the payment's stream as
   * the saga last read it; with undefined when the service stops first.
   */
  finished: Promise<LoadedPayment | undefined>;
}

/**
 * Paying a checkout session, the use case behind `POST /v1/checkout/sessions/{id}/pay`: begins the
 * payment on its session, records PaymentStarted with the start of tier 0 (up to its first call),
 * hands the payment to the saga (PaymentCascade) and answers the payment once it has finished, or
 * as it stands after PAY_WAIT_MS.
 * The session stream's expected revision is what lets exactly one of several concurrent pays
 * begin (the others: 409); the pay lock only spares them the race. 404 for another account's
 * session, 409 when it is paid or a payment is running, 410 when it has expired, 429 when a limit
 * on failed payments is reached (the session's; a public payer's card or address: CardTestingDefence).
 */
@Injectable()
export class PayCheckoutSession {
  constructor(
    private readonly sessions: CheckoutSessionsReader,
    private readonly accounts: AccountsReader,
    private readonly sessionPayments: SessionPayments,
    private readonly runner: CommandRunner,
    private readonly cascade: PaymentCascade,
    private readonly recovery: PaymentRecovery,
    private readonly routing: TierRoutingResolver,
    private readonly reader: PaymentsReader,
    private readonly projections: ProjectionsService,
    private readonly cardTesting: CardTestingDefence,
    @Inject(SESSION_PAY_LOCK) private readonly lock: SessionPayLock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /**
   * Pays the session and answers the payment: finished, or still processing after PAY_WAIT_MS
   * while the saga goes on. The lists (GET /v1/payments, the sessions) already show it as answered.
   */
  async pay(command: AttemptPayment): Promise<PaymentView> {
    const { paymentId, finished } = await this.start(command);
    // The saga's last read of the stream, when it finished in time, spares reading it again.
    const { view, position } = await this.reader.payment(command.accountId, paymentId, await waitAtMost(finished, this.settings.payWaitMs));
    await this.projections.waitFor(position, undefined, [payments, checkoutSessions]);
    return view;
  }

  /** Starts the payment and hands it to the saga; `finished` settles when the saga is done. */
  async start(command: AttemptPayment): Promise<AttemptedPayment> {
    const payer = command.publicPayer && { fingerprint: command.card.fingerprint, address: command.publicPayer.address };
    try {
      await this.cardTesting.admit(payer);
      const attempted = await this.startAdmitted(command);
      this.cardTesting.watch(payer, attempted.finished);
      return attempted;
    } catch (error) {
      this.cardTesting.noteRefusal(command.accountId, error);
      throw error;
    }
  }

  private async startAdmitted({ accountId, sessionId, card, attempts, metadata }: AttemptPayment): Promise<AttemptedPayment> {
    const [session, account] = await Promise.all([this.sessions.session(accountId, sessionId), this.accounts.account(accountId)]);
    // Refused before the session is touched: a payment that began must be able to start.
    if (attempts !== undefined) parseRoutingAttempts(attempts, account.processorIds);
    const release = await this.lock.acquire(sessionId);
    if (!release) throw conflict(`a payment is starting on checkout session ${sessionId}`);
    const paymentId = this.ids.next('pay');
    try {
      const tiers = paymentTiers(session, account.defaultRouteId);
      // The first tier's routing is read beside the session's begin, to be recorded with the start.
      // Should it fail to read, the payment starts without it, and the saga reads it (retrying).
      const [, routing] = await Promise.all([
        this.sessionPayments.begin(accountId, sessionId, paymentId, metadata),
        this.routing.resolve(accountId, tiers[0].route_id, { network: card.network, currency: tiers[0].currency }, account).catch(() => undefined),
      ]);
      const start = {
        type: 'StartPayment' as const,
        paymentId,
        checkoutSessionId: sessionId,
        accountId,
        tiers,
        card,
        // From the BIN table, as the API edge looked it up; null (unknown BIN) holds no bin_country condition.
        binCountry: card.country ?? null,
        attempts,
        accountProcessorIds: account.processorIds,
        captureMethod: session.capture_method,
      };
      // The payment id is new: its stream does not exist, and need not be read.
      const none = { state: paymentDecider.initialState(), revision: -1n };
      // Given together, the two run as one batch on the payment stream: one append, and the saga
      // starts at the first call. A payment that started without tier 0's start (no routing read,
      // or its decision refused) has the saga start the tier, as one written by an older version.
      const [started] = await Promise.allSettled([
        runPaymentCommand(this.runner, start, metadata, none),
        ...(routing ? [runPaymentCommand(this.runner, { type: 'StartNextTier', paymentId, tier: 0, routing }, metadata, none)] : []),
      ]);
      if (started.status === 'rejected') {
        // The session must not wait for a payment that did not start (and if it did after all, the
        // saga takes it on); should that fail too, it is tried again in the background until done.
        await this.recovery.resume(paymentId, sessionId).catch((error: unknown) => this.recovery.resumeUntilDone(paymentId, sessionId, { error }));
        throw started.reason;
      }
    } finally {
      await release();
    }
    return { paymentId, finished: this.cascade.drive(paymentId) };
  }
}

/** What `finished` settles with, or undefined once `ms` have passed. */
export async function waitAtMost<T>(finished: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const timeout = new AbortController();
  const outcome = await Promise.race([finished, sleep(ms, undefined, { signal: timeout.signal }).catch(() => undefined)]);
  timeout.abort();
  return outcome;
}

/**
 * Each tier's amount and route, fixed when the payment starts (API.md "Checkout sessions"): the
 * tier's route, else the session's, else the account's default route, else none.
 */
export function paymentTiers(session: CheckoutSession, accountDefaultRouteId: string | null): PaymentTier[] {
  return session.tiers.map((tier) => ({
    index: tier.index,
    amount: tier.amount_total,
    currency: tier.currency,
    route_id: tier.processor_route_id ?? session.processor_route_id ?? accountDefaultRouteId,
  }));
}
