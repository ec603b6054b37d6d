import {
  PaymentCommand,
  PaymentEvent,
  PaymentRun,
  PaymentState,
  ProcessorSnapshot,
  RoutePolicy,
  TierRouting,
  accountDecider,
  afterApprovalDecider,
  decidePayment,
  eventOfStream,
  evolveAfterApproval,
  evolvePayment,
  evolveStored,
  initialPaymentState,
  isOperationEventType,
  paymentDecider,
  processorDecider,
  processorSnapshot,
  routeDecider,
  routePolicyOf,
} from '@payments/domain';
import { RecordedEvent } from '@payments/event-store/event-store';
import { auditOperation } from './operation-audit';

/** The streams a payment's decisions depend on, as stored. */
export interface PaymentHistory {
  payment: readonly RecordedEvent[];
  /** The payment's account stream. */
  account: readonly RecordedEvent[];
  /** Every processor stream the account ever connected, by processor id. */
  processors: ReadonlyMap<string, readonly RecordedEvent[]>;
  /** The stream of every route a tier of the payment names, by route id. */
  routes: ReadonlyMap<string, readonly RecordedEvent[]>;
}

/** One field of an event that the decision derived again differently. */
export interface FieldDifference {
  /** `TierStarted.plan[1].skip_reason`; `#2` for an event only one side has. */
  path: string;
  expected: unknown;
  recorded: unknown;
}

/** A step of the cascade: what its input was, what the deciders answer to it now, and what was recorded. */
export interface Decision {
  /** `resolution`: what the resolver learned of an unknown attempt; `failure`: the saga ended a payment it could not continue. */
  kind: 'start_tier' | 'outcome' | 'resolution' | 'failure' | 'operation' | 'unexplained';
  /** `start tier 0`, `after ProcessorDeclined by proc_x (tier 0, attempt 1)` */
  label: string;
  tier: number | null;
  /** The step's first recorded event. */
  revision: bigint;
  position: bigint;
  recorded: PaymentEvent[];
  /** What the deciders decide on the same input; an error when they refuse it. */
  expected: PaymentEvent[] | { error: string };
  /** Notes on the input, e.g. a route that never had the revision recorded. */
  notes: string[];
  differences: FieldDifference[];
}

/**
 * Re-derives every decision of a payment's cascade from what the payment recorded, with the
 * very deciders the saga runs (decidePayment: tier planning, skips, failover, optimized
 * retries, hard declines):
 * - a tier's start (TierStarted and the skips and call after it) from the tier's route folded
 *   to the revision the tier recorded, and the account and its processors folded to just before
 *   the tier started (their status, currencies, networks and fees then);
 * - each outcome's consequences (the next call, skips, the end of the tier or payment) from the
 *   outcome as recorded (processor answer, code, duration).
 * - each operation after the approval (capture, void, expiry, refund, and the processor's answer
 *   to each) from the event that records it, on the payment as it stood before (operation-audit.ts).
 * The stream is followed as recorded, so one difference does not hide the decisions after it.
 */
export function auditPayment(history: PaymentHistory): Decision[] {
  const events = history.payment;
  const decisions: Decision[] = [];
  let state: PaymentState = initialPaymentState();
  let after = afterApprovalDecider.initialState();
  for (let index = 0; index < events.length; ) {
    const first = events[index];
    if (first.type === 'PaymentStarted' && state.status === 'none') {
      state = evolveStored(paymentDecider, state, first);
      after = evolveStored(afterApprovalDecider, after, first);
      index++;
      continue;
    }
    const end = stepEnd(events, index);
    const recorded = events.slice(index, end).flatMap((event) => eventOfStream(event, 'payment') ?? []);
    decisions.push(isOperationEventType(first.type) ? auditOperation(after, recorded, first) : decide(state, recorded, first, history));
    state = recorded.reduce(evolvePayment, state);
    after = recorded.reduce(evolveAfterApproval, after);
    index = end;
  }
  return decisions;
}

/** Where the append of the step that starts at `from` ends: where the cascade next rests (a call, a failed tier, the end). */
function stepEnd(events: readonly RecordedEvent[], from: number): number {
  for (let index = from; index < events.length; index++) {
    const type = events[index].type;
    if (type === 'ProcessorAttempted' || type === 'PaymentSucceeded' || type === 'PaymentFailed' || type === 'PaymentStarted') return index + 1;
    // PaymentAuthorized ends a manual payment's cascade; each operation after the approval is recorded alone.
    if (type === 'PaymentAuthorized' || isOperationEventType(type)) return index + 1;
    // The resolver records each of these alone.
    if (type === 'ProcessorAttemptResolved' || type === 'LateApprovalVoided' || type === 'LateApprovalVoidFailed') return index + 1;
    if (type === 'TierFailed' && events[index + 1]?.type !== 'PaymentFailed') return index + 1;
  }
  return events.length;
}

function decide(state: PaymentState, recorded: PaymentEvent[], first: RecordedEvent, history: PaymentHistory): Decision {
  const at = { revision: first.revision, position: first.position };
  const step = stepOf(state, recorded[0], first, history);
  if (step === null) {
    return { kind: 'unexplained', label: `${recorded[0].type} where no step of the cascade leads`, tier: tierOf(recorded[0]), ...at, recorded, expected: [], notes: [], differences: [] };
  }
  let expected: PaymentEvent[] | { error: string };
  try {
    expected = decidePayment(step.command, state, { now: decisionTime(recorded, first) });
    if (step.adjust) expected = step.adjust(expected);
  } catch (error) {
    expected = { error: (error as Error).message };
  }
  const differences = Array.isArray(expected) ? compareEvents(expected, recorded) : [{ path: recorded[0].type, expected: expected.error, recorded: 'recorded' }];
  return { kind: step.kind, label: step.label, tier: tierOf(recorded[0]), ...at, recorded, expected, notes: step.notes, differences };
}

interface Step {
  kind: 'start_tier' | 'outcome' | 'resolution' | 'failure';
  label: string;
  command: PaymentCommand;
  notes: string[];
  /** Leaves out of what the deciders answer now what the step could not have recorded when it was recorded. */
  adjust?: (events: PaymentEvent[]) => PaymentEvent[];
}

function withoutRoutingWhy(events: PaymentEvent[]): PaymentEvent[] {
  return events.map((event) => {
    if (event.type !== 'TierStarted') return event;
    const { why: _why, ...data } = event.data;
    return { ...event, data };
  });
}

/** The command whose answer the step recorded, rebuilt from the stored inputs; null for an event no command answers with first. */
function stepOf(state: PaymentState, event: PaymentEvent, recorded: RecordedEvent, history: PaymentHistory): Step | null {
  if (state.status === 'none') return null;
  switch (event.type) {
    case 'TierStarted': {
      const notes: string[] = [];
      // The approval rates a tier used came from a read model as it stood then: they are an input the
      // tier recorded, so the order is derived again from them (and the route's settings at its revision).
      const rates = event.data.why?.rates;
      const routing: TierRouting = {
        ...tierRouting(state, event.data.tier, event.data.route_revision, recorded.position, history, notes, event.data.processor_revisions !== undefined),
        ...(rates && { approval_stats: Object.fromEntries(rates.map(({ processor_id, attempts, approved }) => [processor_id, { attempts, approved }])) }),
      };
      // A tier recorded before its reasons were gives none, so none is compared for it either.
      const withoutWhy = event.data.why === undefined;
      return {
        kind: 'start_tier',
        label: `start tier ${event.data.tier}`,
        command: { type: 'StartNextTier', paymentId: state.payment.payment_id, tier: event.data.tier, routing },
        notes,
        ...(withoutWhy && { adjust: withoutRoutingWhy }),
      };
    }
    case 'ProcessorApproved':
    case 'ProcessorDeclined':
    case 'ProcessorTimedOut':
    case 'ProcessorErrored': {
      const { data } = event;
      const label = `after ${event.type} by ${data.processor_id} (tier ${data.tier}, attempt ${data.attempt}${data.optimized ? ', optimized' : ''})`;
      const answered = { paymentId: state.payment.payment_id, idempotencyKey: state.tier?.lastCall?.idempotency_key ?? '', durationMs: data.duration_ms };
      const command: PaymentCommand = (() => {
        switch (event.type) {
          case 'ProcessorApproved':
            return { type: 'RecordProcessorOutcome', ...answered, outcome: 'approved', code: event.data.code ?? undefined, authCode: event.data.auth_code ?? undefined };
          case 'ProcessorDeclined':
            return { type: 'RecordProcessorOutcome', ...answered, outcome: 'declined', code: event.data.code ?? undefined };
          case 'ProcessorTimedOut': {
            const { uncertain, message } = event.data;
            return { type: 'RecordProcessorOutcome', ...answered, outcome: 'timeout', ...(uncertain !== undefined && { uncertain }), ...(message !== undefined && { message: message ?? undefined }) };
          }
          case 'ProcessorErrored': {
            const { uncertain } = event.data;
            return { type: 'RecordProcessorOutcome', ...answered, outcome: 'error', code: event.data.code ?? undefined, message: event.data.message ?? undefined, ...(uncertain !== undefined && { uncertain }) };
          }
        }
      })();
      return { kind: 'outcome', label, command, notes: [] };
    }
    case 'PaymentFailed':
      // As the first event of its append: the saga ended the payment it could not continue (FailPayment).
      return { kind: 'failure', label: `payment ended by the saga (${event.data.failure_reason})`, command: { type: 'FailPayment', paymentId: state.payment.payment_id, detail: event.data.failure_detail ?? '' }, notes: [] };
    case 'ProcessorAttemptResolved': {
      const { data } = event;
      const approved = data.outcome === 'approved';
      const command: PaymentCommand = {
        type: 'RecordAttemptResolution',
        paymentId: state.payment.payment_id,
        idempotencyKey: data.idempotency_key,
        outcome: data.outcome,
        ...(data.code !== null && { code: data.code }),
        ...(approved && data.auth_code !== null && { authCode: data.auth_code }),
        ...(approved && data.state !== null && { state: data.state }),
        ...(approved && data.captured_amount !== null && { capturedAmount: data.captured_amount }),
        ...(approved && data.refunded_amount !== null && { refundedAmount: data.refunded_amount }),
      };
      return { kind: 'resolution', label: `resolution of ${data.processor_id} (tier ${data.tier}, attempt ${data.attempt}): ${data.outcome}`, command, notes: [] };
    }
    case 'LateApprovalVoided':
    case 'LateApprovalVoidFailed': {
      const { data } = event;
      const failed = event.type === 'LateApprovalVoidFailed' ? { outcome: 'failed' as const, ...(event.data.code !== null && { code: event.data.code }), ...(event.data.message !== null && { message: event.data.message }) } : { outcome: 'succeeded' as const };
      const amount = event.type === 'LateApprovalVoided' ? event.data.amount : (state.inDoubt.attempts.find((attempt) => attempt.call.idempotency_key === data.idempotency_key)?.undo?.amount ?? 0);
      const command: PaymentCommand = { type: 'RecordLateApprovalUndo', paymentId: state.payment.payment_id, idempotencyKey: data.idempotency_key, method: data.method, amount, ...failed };
      return { kind: 'resolution', label: `${data.method} of the late approval of ${data.processor_id} (tier ${data.tier}, attempt ${data.attempt})`, command, notes: [] };
    }
    default:
      return null;
  }
}

/**
 * The routing the saga resolved when the tier started, as of the payment's records: the tier's
 * route at the revision the tier recorded, and the account's processors as their streams stood
 * just before the tier's first event.
 */
function tierRouting(run: PaymentRun, tier: number, revision: number | null, position: bigint, history: PaymentHistory, notes: string[], withRevisions: boolean): TierRouting {
  const routeId = run.payment.tiers[tier]?.route_id ?? null;
  let route: RoutePolicy | null = null;
  if (routeId !== null) {
    const stream = history.routes.get(routeId) ?? [];
    const state = foldRoute(stream, revision, position);
    if (state === null) notes.push(`route ${routeId} has no events`);
    else if (revision === null) notes.push(`the tier recorded no revision of route ${routeId}: its definition as it stood when the tier started is used`);
    else if (state.revision !== revision) notes.push(`route ${routeId} never had revision ${revision} (it reached ${state.revision})`);
    route = state && routePolicyOf(state);
  }
  const before = (event: RecordedEvent) => event.position < position;
  let account = accountDecider.initialState();
  for (const event of history.account.filter(before)) account = evolveStored(accountDecider, account, event);
  const processorIds = account.status === 'open' ? account.account.processorIds : [];
  const revisions: Record<string, number> = {};
  const processors: ProcessorSnapshot[] = processorIds.flatMap((id) => {
    let processor = processorDecider.initialState();
    const stream = (history.processors.get(id) ?? []).filter(before);
    for (const event of stream) processor = evolveStored(processorDecider, processor, event);
    if (processor.status !== 'connected') return [];
    revisions[id] = Number(stream[stream.length - 1].revision);
    return [processorSnapshot(processor.processor)];
  });
  // A tier recorded before revisions were gives its calls none, so none is derived for it either.
  return { route, processors, default_processor_id: account.status === 'open' ? account.account.defaultProcessorId : null, ...(withRevisions && { processor_revisions: revisions }) };
}

/**
 * The route's definition at `revision`: its events folded until one would take it past that
 * revision (references, which do not change the revision, included). Without a recorded
 * revision, as the route stood before `position`.
 */
function foldRoute(stream: readonly RecordedEvent[], revision: number | null, position: bigint) {
  let state = routeDecider.initialState();
  for (const recorded of stream) {
    const event = eventOfStream(recorded, 'route');
    if (revision === null ? recorded.position >= position : event?.type === 'RouteUpdated' && event.data.revision > revision) break;
    if (event) state = routeDecider.evolve(state, event);
  }
  return state.status === 'none' ? null : state.route;
}

/** Deciders read the clock only for `completed_at`; the recorded one is the time of the decision. */
function decisionTime(recorded: readonly PaymentEvent[], first: RecordedEvent): Date {
  for (const event of recorded) {
    if (event.type === 'PaymentSucceeded' || event.type === 'PaymentFailed') return new Date(event.data.completed_at);
    if (event.type === 'PaymentAuthorized') return new Date(event.data.authorized_at);
  }
  return first.createdAt;
}

function tierOf(event: PaymentEvent): number | null {
  return 'tier' in event.data ? event.data.tier : null;
}

/** Every field that differs between the events derived again and the recorded ones, event by event. */
export function compareEvents(expected: readonly PaymentEvent[], recorded: readonly PaymentEvent[]): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (let index = 0; index < Math.max(expected.length, recorded.length); index++) {
    const mine = expected[index];
    const theirs = recorded[index];
    if (mine === undefined || theirs === undefined || mine.type !== theirs.type) {
      differences.push({ path: `#${index + 1}`, expected: mine?.type ?? 'nothing', recorded: theirs?.type ?? 'nothing' });
      continue;
    }
    differences.push(...compareValues(mine.type, mine.data, theirs.data));
  }
  return differences;
}

/** Leaves compared one by one, except lists of plain values (a candidate order), which read better whole. */
function compareValues(path: string, expected: unknown, recorded: unknown): FieldDifference[] {
  if (isRecord(expected) && isRecord(recorded)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(recorded)])];
    return keys.flatMap((key) => compareValues(`${path}.${key}`, expected[key], recorded[key]));
  }
  if (Array.isArray(expected) && Array.isArray(recorded) && [...expected, ...recorded].some((item) => typeof item === 'object' && item !== null)) {
    return Array.from({ length: Math.max(expected.length, recorded.length) }, (_, index) => compareValues(`${path}[${index}]`, expected[index], recorded[index])).flat();
  }
  return JSON.stringify(expected) === JSON.stringify(recorded) ? [] : [{ path, expected, recorded }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
