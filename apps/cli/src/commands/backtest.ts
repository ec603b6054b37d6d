import {
  AUTH_RATE_DEFAULTS,
  AccountState,
  ApprovalHistory,
  ApprovalSegment,
  approvalStatsOf,
  withAttempt,
  CardNetwork,
  PaymentEvent,
  ProcessorState,
  accountDecider,
  categoryOf,
  eventOfStream,
  evolveStored,
  processorDecider,
  processorSnapshot,
  routePolicyOf,
} from '@payments/domain';
import { EventStore, RecordedEvent } from '@payments/event-store/event-store';
import { loadCandidateRoute } from '../backtest/candidate-route';
import { ApprovalStatsSource, CANDIDATE_ROUTE_ID, CandidateResult, PastPayment, Simulated, answerKey, simulate } from '../backtest/simulation';
import { WriteLine, columns } from '../output';
import { ProgressSink, startProgress } from '../progress';

export interface BacktestOptions {
  /** The candidate route's file: the body of POST /v1/processor-routes. */
  route: string;
  /** Only payments started at or after this time. */
  from?: Date;
  /** Only payments started before this time. */
  to?: Date;
  out: WriteLine;
  progress?: ProgressSink;
  head?: bigint;
}

/** A past payment with what history made of it. */
interface Replayed extends PastPayment {
  status: 'processing' | 'succeeded' | 'failed';
  /** Every answered call, in order. */
  history: { processorId: string; approved: boolean }[];
  /** Network of each call recorded, by `tier:attempt`, which its answer does not repeat. */
  networks: Map<string, CardNetwork>;
}

interface ProcessorFigures {
  historyCalls: number;
  historyApproved: number;
  candidateCalls: number;
  candidateApproved: number;
  /** Payments the candidate would have sent to this processor where history has no answer. */
  unknown: number;
}

/**
 * `backtest --route <file>`: the account's past payments (of the window) replayed through a
 * candidate route (simulation.ts), and the approval rates it would have had beside those
 * history had, per processor and overall. The log is read once.
 */
export async function backtest(events: EventStore, options: BacktestOptions): Promise<void> {
  const { definition, accountId } = await loadCandidateRoute(options.route, events);
  const payments = await pastPayments(events, accountId, options);
  const route = routePolicyOf({ id: CANDIDATE_ROUTE_ID, revision: 1, ...definition });
  const figures = new Map<string, ProcessorFigures>();
  const figuresOf = (id: string) => {
    let found = figures.get(id);
    if (!found) figures.set(id, (found = { historyCalls: 0, historyApproved: 0, candidateCalls: 0, candidateApproved: 0, unknown: 0 }));
    return found;
  };
  for (const id of definition.processors.map((processor) => processor.processor_id)) figuresOf(id);
  const results: CandidateResult[] = [];
  const learning = definition.strategy === 'auth_rate' ? candidateApprovalRates(definition.processors.map((entry) => entry.processor_id), definition.auth_rate?.window ?? AUTH_RATE_DEFAULTS.window) : null;
  for (const payment of payments) {
    for (const call of payment.history) {
      const processor = figuresOf(call.processorId);
      processor.historyCalls++;
      if (call.approved) processor.historyApproved++;
    }
    const { result, calls } = simulate(payment, route, learning?.stats);
    learning?.record(calls);
    for (const call of calls) {
      const processor = figuresOf(call.processorId);
      processor.candidateCalls++;
      if (call.outcome === 'approved') processor.candidateApproved++;
    }
    if (result.kind === 'unknown') figuresOf(result.processorId).unknown++;
    results.push(result);
  }
  for (const line of report(definition.name, accountId, options, payments, figures, results)) await options.out(line);
}

/**
 * An auth_rate candidate learns from its own replayed calls, payment after payment in the order
 * they started, as it would have had it been live: a payment counts once per processor, approved
 * where it was approved (approval-rates.ts). A call history never made teaches it nothing.
 */
function candidateApprovalRates(listed: readonly string[], window: number): { stats: ApprovalStatsSource; record(calls: Simulated['calls']): void } {
  const histories = new Map<string, ApprovalHistory>();
  const key = (processorId: string, { network, currency }: ApprovalSegment) => `${processorId}:${currency}:${network}`;
  return {
    stats: (segment) => Object.fromEntries(listed.map((id) => [id, approvalStatsOf(histories.get(key(id, segment)) ?? '', window)])),
    record(calls) {
      const counted = new Map<string, { segment: ApprovalSegment; approved: boolean }>();
      for (const call of calls) {
        const first = counted.get(call.processorId);
        counted.set(call.processorId, { segment: first?.segment ?? call.segment, approved: (first?.approved ?? false) || call.outcome === 'approved' });
      }
      for (const [id, { segment, approved }] of counted) histories.set(key(id, segment), withAttempt(histories.get(key(id, segment)) ?? '', approved));
    },
  };
}

/** The account's payments that started in the window, each with the processors and answers it had. */
async function pastPayments(events: EventStore, accountId: string, options: BacktestOptions): Promise<Replayed[]> {
  const payments = new Map<string, Replayed>();
  let account: AccountState = accountDecider.initialState();
  const processors = new Map<string, ProcessorState>();
  const progress = options.progress && startProgress(options.progress, { label: 'backtest', total: options.head });
  let read = 0;
  try {
    for await (const event of events.readAll()) {
      progress?.update(event.position, ++read);
      switch (categoryOf(event.streamId)) {
        case 'account':
          if (event.streamId === `account-${accountId}`) account = evolveStored(accountDecider, account, event);
          break;
        case 'processor':
          trackProcessor(processors, event, accountId);
          break;
        case 'payment': {
          const payment = eventOfStream(event, 'payment');
          if (payment) trackPayment(payments, payment, event.streamId, accountId, account, processors, options);
          break;
        }
      }
    }
  } finally {
    progress?.stop();
  }
  return [...payments.values()];
}

function trackProcessor(processors: Map<string, ProcessorState>, event: RecordedEvent, accountId: string): void {
  const processorEvent = eventOfStream(event, 'processor');
  if (!processorEvent) return;
  if (processorEvent.type === 'ProcessorConnected' && processorEvent.data.account_id !== accountId) return;
  const id = processorEvent.data.processor_id;
  if (processorEvent.type !== 'ProcessorConnected' && !processors.has(id)) return;
  processors.set(id, processorDecider.evolve(processors.get(id) ?? processorDecider.initialState(), processorEvent));
}

function trackPayment(
  payments: Map<string, Replayed>,
  event: PaymentEvent,
  streamId: string,
  accountId: string,
  account: AccountState,
  processors: ReadonlyMap<string, ProcessorState>,
  options: BacktestOptions,
): void {
  if (event.type === 'PaymentStarted') {
    const started = event.data;
    const at = new Date(started.started_at);
    if (started.account_id !== accountId || (options.from && at < options.from) || (options.to && at >= options.to)) return;
    const open = account.status === 'open' ? account.account : null;
    const snapshots = (open?.processorIds ?? []).flatMap((id) => {
      const state = processors.get(id);
      return state?.status === 'connected' ? [processorSnapshot(state.processor)] : [];
    });
    payments.set(streamId, { started, processors: snapshots, defaultProcessorId: open?.defaultProcessorId ?? null, answers: new Map(), status: 'processing', history: [], networks: new Map() });
    return;
  }
  const payment = payments.get(streamId);
  if (!payment) return;
  switch (event.type) {
    case 'ProcessorAttempted':
      payment.networks.set(`${event.data.tier}:${event.data.attempt}`, event.data.network);
      return;
    case 'ProcessorApproved':
    case 'ProcessorDeclined':
    case 'ProcessorTimedOut':
    case 'ProcessorErrored': {
      const { tier, attempt, processor_id, optimized, duration_ms } = event.data;
      const network = payment.networks.get(`${tier}:${attempt}`) ?? payment.started.card.network;
      const outcome = ({ ProcessorApproved: 'approved', ProcessorDeclined: 'declined', ProcessorTimedOut: 'timeout', ProcessorErrored: 'error' } as const)[event.type];
      const code = 'code' in event.data ? event.data.code : null;
      const authCode = event.type === 'ProcessorApproved' ? event.data.auth_code : null;
      const message = event.type === 'ProcessorErrored' ? event.data.message : null;
      payment.answers.set(answerKey(tier, processor_id, network, optimized), { outcome, code, authCode, message, durationMs: duration_ms });
      payment.history.push({ processorId: processor_id, approved: outcome === 'approved' });
      return;
    }
    case 'PaymentSucceeded':
      payment.status = 'succeeded';
      return;
    case 'PaymentFailed':
      payment.status = 'failed';
      return;
  }
}

function report(
  name: string,
  accountId: string,
  options: BacktestOptions,
  payments: readonly Replayed[],
  figures: ReadonlyMap<string, ProcessorFigures>,
  results: readonly CandidateResult[],
): string[] {
  const window = `${options.from ? `from ${options.from.toISOString()} ` : ''}${options.to ? `to ${options.to.toISOString()} ` : ''}`;
  const count = (kind: CandidateResult['kind']) => results.filter((result) => result.kind === kind).length;
  const [approved, failed, unknown] = [count('approved'), count('failed'), count('unknown')];
  const succeeded = payments.filter((payment) => payment.status === 'succeeded').length;
  const historyFailed = payments.filter((payment) => payment.status === 'failed').length;
  const known = approved + failed;
  const total = payments.length;
  const processing = total - succeeded - historyFailed;
  return [
    `Backtest of route "${name}" on the ${total} payment${total === 1 ? "" : "s"} of account ${accountId} ${window}`.trimEnd(),
    'Each tier routed by the candidate; each call answered as history answered the same call (tier, processor, network, optimized); a payment',
    'whose candidate reaches a call history never made is unknown, counted apart.',
    '',
    ...columns([
      ['processor', 'history calls', 'approved', 'rate', 'candidate calls', 'approved', 'rate', 'unknown payments'],
      ...[...figures].map(([id, f]) => [id, String(f.historyCalls), String(f.historyApproved), rate(f.historyApproved, f.historyCalls), String(f.candidateCalls), String(f.candidateApproved), rate(f.candidateApproved, f.candidateCalls), String(f.unknown)]),
    ]),
    '',
    ...columns([
      ['overall', 'payments', 'approved', 'failed', 'unknown', 'approval rate'],
      ['history', String(total), String(succeeded), String(historyFailed), '-', rate(succeeded, total)],
      ['candidate', String(total), String(approved), String(failed), String(unknown), `${rate(approved, known)} of the ${known} known (${rate(approved, total)} to ${rate(approved + unknown, total)} of all ${total})`],
    ]),
    ...(processing > 0 ? [`(${processing} of the payments were still processing: neither approved nor failed in history)`] : []),
  ];
}

function rate(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part * 100) / whole).toFixed(1)} %`;
}
