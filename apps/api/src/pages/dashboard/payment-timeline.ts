import { formatMoney } from '../money-format';

/** A stored event of the payment as the API shows it (GET /v1/payments/{id}/events): the timeline reads nothing else. */
export interface TimelineEvent {
  type: string;
  created_at: string;
  data: unknown;
}

/** How a step is drawn: its marker, and the word that says the same without colour. */
export type StepTone = 'call' | 'approved' | 'declined' | 'unknown' | 'skipped' | 'succeeded' | 'failed' | 'captured' | 'refunded' | 'pending' | 'info';

export interface TimelineNote {
  title: string;
  detail?: string;
  at: string;
}

export interface TimelineStep {
  tone: StepTone;
  title: string;
  detail?: string;
  at: string;
  /** Milliseconds after the payment started. */
  offsetMs: number;
  /** What happened to this call later: the resolution of an unknown answer, a late approval voided. */
  notes: TimelineNote[];
  /** The fields of an event this timeline has no words for, so that it still shows what it holds. */
  fields?: Array<[string, string]>;
}

export interface TimelineTier {
  tier: number;
  title: string;
  meta: string[];
  steps: TimelineStep[];
}

export interface PaymentTimeline {
  start: TimelineStep | undefined;
  tiers: TimelineTier[];
  /** The end of the cascade and everything after the approval: captures, voids, refunds. */
  after: TimelineStep[];
}

type Data = Record<string, unknown>;

const SKIP_REASONS: Record<string, string> = {
  unavailable: 'the processor is unavailable',
  unsupported_currency: 'it does not take the currency',
  unsupported_network: 'it does not take the card network',
  not_in_attempts: 'not among the attempts the payment asked for',
};

const TIER_FAILURES: Record<string, string> = {
  exhausted: 'every processor was tried or skipped',
  max_attempts: 'the route’s most attempts were made',
  no_failover: 'the route does not fail over on this kind of failure',
  hard_decline: 'a hard decline ends the payment',
};

const PAYMENT_FAILURES: Record<string, string> = {
  hard_decline: 'a hard decline',
  all_tiers_failed: 'every tier failed',
  processing_error: 'a processing error',
};

const RESOLUTIONS: Record<string, string> = {
  approved: 'the processor says it approved the call',
  declined: 'the processor says it declined the call: nothing was charged',
  not_found: 'the processor never received the call: nothing was charged',
};

const str = (data: Data, key: string): string | undefined => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
const num = (data: Data, key: string): number | undefined => (typeof data[key] === 'number' ? (data[key] as number) : undefined);
const dataOf = (event: TimelineEvent): Data => (typeof event.data === 'object' && event.data !== null ? (event.data as Data) : {});

function money(data: Data): string | undefined {
  const amount = num(data, 'amount');
  const currency = str(data, 'currency');
  return amount === undefined || currency === undefined ? undefined : formatMoney(amount, currency);
}

function joined(parts: ReadonlyArray<string | undefined | false>): string | undefined {
  const present = parts.filter((part): part is string => typeof part === 'string' && part !== '');
  return present.length > 0 ? present.join(' · ') : undefined;
}

const duration = (data: Data) => (num(data, 'duration_ms') === undefined ? undefined : `${Math.round(num(data, 'duration_ms')!)} ms`);
const codeOf = (data: Data) => (str(data, 'code') === undefined ? undefined : `code ${str(data, 'code')}`);

/** "PaymentDisputed" reads "Payment disputed". */
function words(type: string): string {
  const spaced = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The scalar fields of an event, ids of the payment left out: what an unknown event can still say. */
function fieldsOf(data: Data): Array<[string, string]> {
  return Object.entries(data)
    .filter(([key, value]) => key !== 'payment_id' && ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => [key, String(value)]);
}

/**
 * A payment's cascade as steps people can follow, folded from its stored events: the start, then
 * each tier with every processor skipped (and why) or called (and how it answered, how long it
 * took, and how an unknown answer was resolved later), then the end and what came after the
 * approval. Events it has no words for (a type added later) become a step of their own, named
 * by their type with their fields, so nothing stored is left out.
 */
export function paymentTimeline(events: readonly TimelineEvent[], processorName: (id: string) => string): PaymentTimeline {
  const timeline: PaymentTimeline = { start: undefined, tiers: [], after: [] };
  const startedAt = events.length > 0 ? Date.parse(events[0].created_at) : 0;
  let tierAmounts: Data[] = [];
  const calls = new Map<string, TimelineStep>();
  let lastCall: TimelineStep | undefined;

  const step = (event: TimelineEvent, tone: StepTone, title: string, detail?: string): TimelineStep => ({
    tone,
    title,
    ...(detail === undefined ? {} : { detail }),
    at: event.created_at,
    offsetMs: Math.max(0, Date.parse(event.created_at) - startedAt),
    notes: [],
  });
  const tierOf = (index: number): TimelineTier => {
    let tier = timeline.tiers.find((candidate) => candidate.tier === index);
    if (!tier) {
      const amount = tierAmounts[index] ? money(tierAmounts[index]) : undefined;
      tier = { tier: index, title: `Tier ${index}${amount ? ` · ${amount}` : ''}`, meta: [], steps: [] };
      timeline.tiers.push(tier);
    }
    return tier;
  };
  const inTier = (data: Data, added: TimelineStep) => tierOf(num(data, 'tier') ?? 0).steps.push(added);
  const callKey = (data: Data) => `${num(data, 'tier')}:${num(data, 'attempt')}`;
  const noteOn = (data: Data, note: TimelineNote) => calls.get(callKey(data))?.notes.push(note);
  const answer = (data: Data, tone: StepTone, outcome: string, detail?: string) => {
    const call = calls.get(callKey(data)) ?? lastCall;
    if (!call) return;
    call.tone = tone;
    call.title = `${processorName(str(data, 'processor_id') ?? '')}: ${outcome}`;
    call.detail = joined([call.detail, detail, duration(data)]);
  };

  for (const event of events) {
    const data = dataOf(event);
    const processor = processorName(str(data, 'processor_id') ?? '');
    switch (event.type) {
      case 'PaymentStarted': {
        tierAmounts = Array.isArray(data.tiers) ? (data.tiers as Data[]) : [];
        const card = typeof data.card === 'object' && data.card !== null ? (data.card as Data) : {};
        const tiers = tierAmounts.length === 1 ? '1 tier' : `${tierAmounts.length} tiers`;
        const capture = str(data, 'capture_method') === 'manual' ? 'captured later (manual capture)' : undefined;
        timeline.start = step(event, 'info', 'Payment started', joined([`${str(card, 'network') ?? 'card'} •••• ${str(card, 'last4') ?? '????'}`, tiers, capture]));
        break;
      }
      case 'TierStarted': {
        const tier = tierOf(num(data, 'tier') ?? 0);
        const order = Array.isArray(data.candidate_order) ? (data.candidate_order as string[]).map(processorName).join(' → ') : undefined;
        const route = str(data, 'route_id');
        tier.meta = [
          route ? `route ${route} rev ${num(data, 'route_revision') ?? '?'}` : 'no route: the default processor, then the others',
          `strategy ${str(data, 'strategy') ?? '?'}`,
          ...(order ? [`order ${order}`] : []),
        ];
        break;
      }
      case 'ProcessorSkipped':
        inTier(data, step(event, 'skipped', `${processor}: skipped`, SKIP_REASONS[str(data, 'reason') ?? ''] ?? str(data, 'reason')));
        break;
      case 'ProcessorAttempted': {
        const called = step(event, 'pending', `${processor}: waiting for the answer`, joined([data.optimized === true && 'optimized retry', `call ${num(data, 'attempt') ?? '?'}`, money(data)]));
        calls.set(callKey(data), called);
        lastCall = called;
        inTier(data, called);
        break;
      }
      case 'ProcessorApproved':
        answer(data, 'approved', 'approved', str(data, 'auth_code') ? `auth code ${str(data, 'auth_code')}` : undefined);
        break;
      case 'ProcessorDeclined':
        answer(data, 'declined', data.hard === true ? 'hard decline' : 'declined', codeOf(data));
        break;
      case 'ProcessorTimedOut':
        answer(data, data.uncertain === false ? 'declined' : 'unknown', data.uncertain === false ? 'timed out, nothing charged' : 'no answer in time (unknown outcome)', str(data, 'message'));
        break;
      case 'ProcessorErrored':
        answer(data, data.uncertain === false ? 'declined' : 'unknown', data.uncertain === false ? 'error, nothing charged' : 'error (unknown outcome)', joined([codeOf(data), str(data, 'message')]));
        break;
      case 'ProcessorAttemptResolved':
        noteOn(data, { title: 'Resolved', detail: joined([RESOLUTIONS[str(data, 'outcome') ?? ''] ?? str(data, 'outcome'), codeOf(data)]), at: event.created_at });
        break;
      case 'LateApprovalVoided':
        noteOn(data, { title: 'Late approval undone', detail: joined([str(data, 'method') === 'refund' ? 'refunded' : 'voided', money(data)]), at: event.created_at });
        break;
      case 'LateApprovalVoidFailed':
        noteOn(data, { title: 'Undoing the late approval failed: the charge stands', detail: joined([codeOf(data), str(data, 'message')]), at: event.created_at });
        break;
      case 'TierFailed':
        inTier(data, step(event, 'failed', `Tier ${num(data, 'tier') ?? '?'} failed`, TIER_FAILURES[str(data, 'reason') ?? ''] ?? str(data, 'reason')));
        break;
      case 'PaymentSucceeded':
        timeline.after.push(step(event, 'succeeded', 'Payment succeeded', joined([money(data), `by ${processor}`, `tier ${num(data, 'tier') ?? '?'}`, str(data, 'auth_code') && `auth code ${str(data, 'auth_code')}`])));
        break;
      case 'PaymentAuthorized':
        timeline.after.push(step(event, 'approved', 'Authorized: waiting for capture', joined([money(data), `by ${processor}`, `tier ${num(data, 'tier') ?? '?'}`])));
        break;
      case 'PaymentFailed':
        timeline.after.push(step(event, 'failed', `Payment failed: ${PAYMENT_FAILURES[str(data, 'failure_reason') ?? ''] ?? str(data, 'failure_reason') ?? 'unknown reason'}`, str(data, 'failure_detail')));
        break;
      case 'PaymentCaptureRequested':
        timeline.after.push(step(event, 'pending', 'Capture requested', money(data)));
        break;
      case 'PaymentCaptured':
        timeline.after.push(step(event, 'captured', 'Captured', money(data)));
        break;
      case 'PaymentCaptureFailed':
        timeline.after.push(step(event, 'failed', 'Capture refused', joined([codeOf(data), str(data, 'message')])));
        break;
      case 'PaymentVoidRequested':
        timeline.after.push(step(event, 'pending', 'Void requested', str(data, 'reason') === 'expired' ? 'the authorization was not captured in time' : undefined));
        break;
      case 'PaymentVoided':
        timeline.after.push(step(event, 'skipped', 'Authorization voided'));
        break;
      case 'AuthorizationExpired':
        timeline.after.push(step(event, 'skipped', 'Authorization expired and voided'));
        break;
      case 'PaymentVoidFailed':
        timeline.after.push(step(event, 'failed', 'Void refused', joined([codeOf(data), str(data, 'message')])));
        break;
      case 'RefundRequested':
        timeline.after.push(step(event, 'pending', 'Refund requested', joined([money(data), str(data, 'reason')?.replace(/_/g, ' '), str(data, 'refund_id')])));
        break;
      case 'RefundSucceeded':
        timeline.after.push(step(event, 'refunded', 'Refunded', joined([money(data), str(data, 'refund_id')])));
        break;
      case 'RefundFailed':
        timeline.after.push(step(event, 'failed', 'Refund failed', joined([money(data), codeOf(data), str(data, 'message')])));
        break;
      default: {
        const unknown = { ...step(event, 'info', words(event.type)), fields: fieldsOf(data) };
        if (num(data, 'tier') !== undefined && timeline.after.length === 0) inTier(data, unknown);
        else timeline.after.push(unknown);
      }
    }
  }
  for (const call of calls.values()) {
    if (call.tone === 'unknown' && !call.notes.some((note) => note.title === 'Resolved')) call.notes.push({ title: 'Not resolved yet', detail: 'the service keeps asking the processor what happened', at: call.at });
  }
  return timeline;
}
