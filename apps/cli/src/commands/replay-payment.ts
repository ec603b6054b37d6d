import { RoutingWhy, domainEventOf, eventOfStream, isId, streamName } from '@payments/domain';
import { EventStore, RecordedEvent, readStreamToArray } from '@payments/event-store/event-store';
import { Decision, PaymentHistory, auditPayment } from '../audit/payment-audit';
import { SetupError, WriteLine, columns } from '../output';

/**
 * `replay payment <id>`: the payment's timeline and its audit (auditPayment). Answers the exit
 * code: 1 when a decision derived again differs from the one recorded.
 */
export async function replayPayment(events: EventStore, paymentId: string, options: { out: WriteLine; json?: boolean }): Promise<number> {
  if (!isId(paymentId, 'pay')) throw new SetupError(`"${paymentId}" is not a payment id (pay_…)`);
  const history = await loadHistory(events, paymentId);
  const decisions = auditPayment(history);
  const differing = decisions.filter((decision) => decision.differences.length > 0 || decision.kind === 'unexplained');
  const lines = options.json ? [JSON.stringify(asJson(history, decisions), bigints)] : [...timeline(history.payment), '', ...audit(decisions, differing)];
  for (const line of lines) await options.out(line);
  return differing.length > 0 ? 1 : 0;
}

/** The payment's stream and every stream its decisions read, each read once. */
export async function loadHistory(events: EventStore, paymentId: string): Promise<PaymentHistory> {
  const payment = await readStreamToArray(events, streamName('payment', paymentId));
  const started = payment.flatMap((stored) => {
    const event = eventOfStream(stored, 'payment');
    return event?.type === 'PaymentStarted' ? [event.data] : [];
  })[0];
  if (started === undefined) throw new Error(`no payment ${paymentId} in the event store${payment.length > 0 ? ' (its stream has no PaymentStarted)' : ''}`);
  const account = await readStreamToArray(events, streamName('account', started.account_id));
  const processorIds = account.flatMap((stored) => {
    const event = eventOfStream(stored, 'account');
    return event?.type === 'AccountProcessorConnected' ? [event.data.processor_id] : [];
  });
  const routeIds = [...new Set(started.tiers.flatMap((tier) => (tier.route_id === null ? [] : [tier.route_id])))];
  const [processors, routes] = await Promise.all([readStreams(events, 'processor', processorIds), readStreams(events, 'route', routeIds)]);
  return { payment, account, processors, routes };
}

async function readStreams(events: EventStore, category: 'processor' | 'route', ids: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await readStreamToArray(events, streamName(category, id))] as const)));
}

/** What happened, tier by tier, in the order it was recorded. */
export function timeline(recorded: readonly RecordedEvent[]): string[] {
  const events = recorded.map(domainEventOf);
  const lines: string[] = [];
  let calls: string[][] = [];
  const flushCalls = () => {
    if (calls.length > 1) lines.push(...columns(calls).map((line) => `  ${line}`));
    calls = [];
  };
  const callHeader = ['processor', 'network', 'attempt', 'optimized', 'outcome', 'code', 'duration', 'detail'];
  events.forEach((event, index) => {
    const at = recorded[index];
    switch (event.type) {
      case 'PaymentStarted': {
        const { payment_id, account_id, checkout_session_id, card, bin_country, routing, started_at, tiers } = event.data;
        lines.push(`Payment ${payment_id}  account ${account_id}  checkout session ${checkout_session_id}`);
        lines.push(`  started   ${started_at}`);
        lines.push(`  card      ${card.network} ${card.bin}…${card.last4}, BIN country ${bin_country ?? 'unknown'}`);
        if (routing) lines.push(`  attempts  ${routing.attempts.map((attempt) => ('processor_id' in attempt ? attempt.processor_id : `network ${attempt.network}`)).join(', ')}`);
        lines.push('  tiers');
        lines.push(...columns([['tier', 'amount', 'currency', 'route'], ...tiers.map((tier) => [String(tier.index), String(tier.amount), tier.currency, tier.route_id ?? 'none'])]).map((line) => `    ${line}`));
        return;
      }
      case 'TierStarted': {
        flushCalls();
        const { tier, route_id, route_revision, strategy, candidate_order, failover, optimized_retry, why } = event.data;
        lines.push('');
        lines.push(`Tier ${tier}  ${route_id === null ? 'no route' : `route ${route_id} revision ${route_revision}`}  strategy ${strategy}  optimized retry ${optimized_retry ? 'on' : 'off'}  (event #${at.revision}, position ${at.position})`);
        lines.push(
          `  failover on ${failover.on.length > 0 ? failover.on.join(', ') : 'nothing'}; soft decline codes ${failover.decline_codes?.join(', ') ?? 'all'}; max attempts ${failover.max_attempts ?? 'no cap'}`,
        );
        lines.push(`  candidate order ${candidate_order.length > 0 ? candidate_order.join(', ') : 'none'}`);
        if (why) lines.push(...whyLines(why).map((line) => `  ${line}`));
        calls = [callHeader];
        return;
      }
      case 'ProcessorSkipped':
        calls.push([event.data.processor_id, event.data.network, '-', '-', 'skipped', '-', '-', event.data.reason]);
        return;
      case 'ProcessorAttempted':
        calls.push([event.data.processor_id, event.data.network, String(event.data.attempt), event.data.optimized ? 'yes' : 'no', 'no answer yet', '-', '-', '']);
        return;
      case 'ProcessorApproved':
        answer(calls, 'approved', event.data.code, event.data.duration_ms, event.data.auth_code === null ? '' : `auth code ${event.data.auth_code}`);
        return;
      case 'ProcessorDeclined':
        answer(calls, 'declined', event.data.code, event.data.duration_ms, event.data.hard ? 'hard decline' : 'soft decline');
        return;
      case 'ProcessorTimedOut':
        answer(calls, 'timeout', null, event.data.duration_ms, doubt(event.data.uncertain, event.data.message ?? ''));
        return;
      case 'ProcessorErrored':
        answer(calls, 'error', event.data.code, event.data.duration_ms, doubt(event.data.uncertain, event.data.message ?? ''));
        return;
      case 'ProcessorAttemptResolved': {
        const { processor_id, tier, attempt, outcome, state, code } = event.data;
        const detail = outcome === 'approved' ? `approved late${state === null ? '' : ` (${state})`}` : outcome === 'declined' && code !== null ? `declined ${code}` : outcome;
        lines.push(`  resolved: ${processor_id} tier ${tier} attempt ${attempt}: ${detail}  (event #${at.revision})`);
        return;
      }
      case 'LateApprovalVoided':
        lines.push(`  late approval of ${event.data.processor_id} tier ${event.data.tier} attempt ${event.data.attempt} undone: ${event.data.method} of ${event.data.amount} ${event.data.currency}  (event #${at.revision})`);
        return;
      case 'LateApprovalVoidFailed':
        lines.push(
          `  late approval of ${event.data.processor_id} tier ${event.data.tier} attempt ${event.data.attempt} NOT undone: ${event.data.method} refused (${event.data.code ?? event.data.message ?? 'no reason'})  (event #${at.revision})`,
        );
        return;
      case 'PaymentAuthorized':
        flushCalls();
        lines.push('');
        lines.push(`Authorized on tier ${event.data.tier} by ${event.data.processor_id}: ${event.data.amount} ${event.data.currency} held (capture method manual), at ${event.data.authorized_at}`);
        return;
      case 'PaymentCaptureRequested':
        lines.push(`  capture of ${event.data.amount} ${event.data.currency} requested, key ${event.data.idempotency_key}, at ${event.data.requested_at}  (event #${at.revision})`);
        return;
      case 'PaymentCaptured':
        lines.push(`Captured ${event.data.amount} ${event.data.currency}, at ${event.data.captured_at}`);
        return;
      case 'PaymentVoidRequested':
        lines.push(`  void requested (${event.data.reason === 'expired' ? 'the authorization expired' : 'by the merchant'}), key ${event.data.idempotency_key}, at ${event.data.requested_at}  (event #${at.revision})`);
        return;
      case 'PaymentVoided':
        lines.push(`Voided, at ${event.data.voided_at}`);
        return;
      case 'AuthorizationExpired':
        lines.push(`Voided: the authorization of ${event.data.authorized_at} expired, at ${event.data.expired_at}`);
        return;
      case 'PaymentCaptureFailed':
      case 'PaymentVoidFailed':
        lines.push(`  ${event.type === 'PaymentCaptureFailed' ? 'capture' : 'void'} ${event.data.idempotency_key} refused by the processor (${event.data.code ?? event.data.message ?? 'no reason'}), at ${event.data.failed_at}`);
        return;
      case 'RefundRequested':
        lines.push(`  refund ${event.data.refund_id} of ${event.data.amount} ${event.data.currency} requested${event.data.reason === null ? '' : ` (${event.data.reason})`}, at ${event.data.requested_at}  (event #${at.revision})`);
        return;
      case 'RefundSucceeded':
        lines.push(`Refund ${event.data.refund_id} of ${event.data.amount} ${event.data.currency} succeeded, at ${event.data.succeeded_at}`);
        return;
      case 'RefundFailed':
        lines.push(`Refund ${event.data.refund_id} of ${event.data.amount} ${event.data.currency} failed (${event.data.code ?? event.data.message ?? 'no reason'}), at ${event.data.failed_at}`);
        return;
      case 'TierFailed':
        flushCalls();
        lines.push(`  tier ${event.data.tier} failed: ${event.data.reason}`);
        return;
      case 'PaymentSucceeded':
        flushCalls();
        lines.push('');
        lines.push(`Succeeded on tier ${event.data.tier} by ${event.data.processor_id}: ${event.data.amount} ${event.data.currency}, at ${event.data.completed_at}`);
        return;
      case 'PaymentFailed':
        flushCalls();
        lines.push('');
        lines.push(`Failed on tier ${event.data.tier} (${event.data.failure_reason}${event.data.failure_detail ? `: ${event.data.failure_detail}` : ''}), at ${event.data.completed_at}`);
        return;
    }
  });
  flushCalls();
  const last = events[events.length - 1];
  // After its end a payment may still record the resolution of unknown attempts (and what follows an approval).
  const ended = events.some((event) => event.type === 'PaymentSucceeded' || event.type === 'PaymentFailed' || event.type === 'PaymentAuthorized');
  if (last && !ended) lines.push('', `Still processing: the stream ends with ${last.type}`);
  return lines;
}

/** What decided a tier's order, as TierStarted recorded it. */
function whyLines(why: RoutingWhy): string[] {
  const lines: string[] = [];
  if (why.default_processor_id !== undefined) lines.push(`no route: default processor ${why.default_processor_id ?? 'none'} first, then connection order`);
  if (why.draw !== undefined) lines.push(`volume split draw ${why.draw}`);
  if (why.matched_rule !== undefined) lines.push(`${why.matched_rule === null ? 'no rule held: the default list' : `rule ${why.matched_rule} held`}; BIN country ${why.bin_country ?? 'unknown'}`);
  if (why.costs) lines.push(`costs ${why.costs.map(({ processor_id, cost }) => `${processor_id} ${cost ?? 'no fees'}`).join(', ')}`);
  if (why.rates && why.segment) {
    lines.push(`approval rates in ${why.segment.network} ${why.segment.currency}${why.explored ? `: EXPLORED (draw ${why.exploration_draw}), listed order` : ` (exploration draw ${why.exploration_draw})`}`);
    lines.push(...columns([['processor', 'rate', 'approved', 'attempts', ''], ...why.rates.map((rate) => [rate.processor_id, rate.rate.toFixed(3), String(rate.approved), String(rate.attempts), rate.cold_start ? 'cold start: default rate' : ''])]).map((line) => `  ${line}`));
  }
  return lines;
}

/** A timeout's or error's detail, marked when it may hide a charge (uncertain, or recorded before that was said). */
function doubt(uncertain: boolean | undefined, message: string): string {
  return uncertain === false ? message : `${message}${message ? '; ' : ''}unknown: may hide a charge`;
}

/** Fills in the last call's answer: a call's outcome always follows it. */
function answer(calls: string[][], outcome: string, code: string | null, durationMs: number, detail: string): void {
  const row = [...calls].reverse().find((candidate) => candidate[4] === 'no answer yet');
  if (!row) return;
  row.splice(4, 4, outcome, code ?? '-', `${durationMs} ms`, detail);
}

function audit(decisions: readonly Decision[], differing: readonly Decision[]): string[] {
  const lines = [`Decisions derived again from the recorded route revisions, processor settings and outcomes: ${decisions.length}`];
  lines.push(
    ...columns([
      ['event', 'position', 'decision', 'result'],
      ...decisions.map((decision) => [`#${decision.revision}`, String(decision.position), decision.label, decision.differences.length > 0 || decision.kind === 'unexplained' ? 'DIFFERS' : 'same']),
    ]).map((line) => `  ${line}`),
  );
  for (const decision of decisions) for (const note of decision.notes) lines.push(`  note (${decision.label}): ${note}`);
  if (differing.length === 0) return [...lines, 'No difference.'];
  lines.push('', `Differences in ${differing.length} of ${decisions.length} decisions:`);
  for (const decision of differing) {
    lines.push(`  ${decision.label} (event #${decision.revision}, position ${decision.position}):`);
    if (decision.kind === 'unexplained') {
      lines.push(`    no step of the cascade records ${decision.recorded.map((event) => event.type).join(', ')} here`);
      continue;
    }
    lines.push(
      ...columns([['field', 'expected', 'recorded'], ...decision.differences.map((difference) => [difference.path, shown(difference.expected), shown(difference.recorded)])]).map(
        (line) => `    ${line}`,
      ),
    );
  }
  return lines;
}

function shown(value: unknown): string {
  return value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
}

function asJson(history: PaymentHistory, decisions: readonly Decision[]) {
  return {
    payment: history.payment.map((event) => ({ type: event.type, revision: event.revision, position: event.position, created_at: event.createdAt.toISOString(), data: event.data })),
    decisions: decisions.map(({ kind, label, tier, revision, position, expected, recorded, notes, differences }) => ({ kind, label, tier, revision, position, notes, expected, recorded, differences })),
    differences: decisions.filter((decision) => decision.differences.length > 0 || decision.kind === 'unexplained').length,
  };
}

/** 64-bit positions and revisions as strings, as the export writes them. */
function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
