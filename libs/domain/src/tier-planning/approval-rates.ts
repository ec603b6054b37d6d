import { CardNetwork } from '../card/networks';
import { AUTH_RATE_DEFAULTS, AuthRateSettings, MAX_AUTH_RATE_WINDOW } from '../route/route-definition';
import { paymentHash } from './volume-split';

/** What the auth_rate strategy learns over: a card network and a currency. */
export interface ApprovalSegment {
  network: CardNetwork;
  currency: string;
}

/** A processor's latest attempts in one segment, as far as a route's window reaches back. */
export interface ApprovalStats {
  attempts: number;
  approved: number;
}

/**
 * A processor's attempts in one segment, oldest first, one character each: `1` approved, `0` not
 * (declined, timed out, errored). A payment counts once per processor however often it called it
 * (optimized retries, re-sends, later tiers); skips are not attempts. Only the latest
 * MAX_AUTH_RATE_WINDOW are kept, the most any route's window reads.
 */
export type ApprovalHistory = string;

export function withAttempt(history: ApprovalHistory, approved: boolean): ApprovalHistory {
  const next = history + (approved ? '1' : '0');
  return next.length > MAX_AUTH_RATE_WINDOW ? next.slice(next.length - MAX_AUTH_RATE_WINDOW) : next;
}

/** The last `window` attempts of the history, counted. */
export function approvalStatsOf(history: ApprovalHistory, window: number): ApprovalStats {
  const recent = window > 0 ? history.slice(-window) : '';
  let approved = 0;
  for (const outcome of recent) if (outcome === '1') approved++;
  return { attempts: recent.length, approved };
}

/** One processor's rate as a tier used it. */
export interface ProcessorRate {
  processor_id: string;
  /** `approved / attempts`, or the route's `default_rate` while `cold_start`. */
  rate: number;
  attempts: number;
  approved: number;
  /** Fewer than `min_samples` attempts in the window: the rate is the route's `default_rate`. */
  cold_start: boolean;
}

/**
 * The payment's exploration draw in [0, 100), to 0.01: a function of its id alone (like volume
 * split's draw, but hashed apart from it, so a route changing strategy does not tie the two), so
 * a replay or a resumed saga draws the same.
 */
export function explorationDraw(paymentId: string): number {
  return (paymentHash(`${paymentId}:auth_rate`) % 10_000) / 100;
}

export interface AuthRateDecision {
  order: string[];
  /** Each listed processor's rate, in listed order. */
  rates: ProcessorRate[];
  explored: boolean;
  exploration_draw: number;
}

/**
 * Descending by rate, ties as listed (a stable sort), so on a cold start, every processor at the
 * default rate, the listed order holds; a payment whose draw falls below `exploration_percent`
 * tries the processors as listed instead, so every processor keeps getting samples and a
 * processor that got better is noticed.
 */
export function authRateOrder(
  listed: readonly string[],
  settings: AuthRateSettings | null | undefined,
  stats: Readonly<Record<string, ApprovalStats>>,
  paymentId: string,
): AuthRateDecision {
  const { min_samples, default_rate, exploration_percent } = settings ?? AUTH_RATE_DEFAULTS;
  const rates = listed.map((processor_id): ProcessorRate => {
    const { attempts, approved } = stats[processor_id] ?? { attempts: 0, approved: 0 };
    const cold_start = attempts < min_samples || attempts === 0;
    return { processor_id, rate: cold_start ? default_rate : approved / attempts, attempts, approved, cold_start };
  });
  const exploration_draw = explorationDraw(paymentId);
  const explored = exploration_draw < exploration_percent;
  const order = explored ? [...listed] : [...rates].sort((a, b) => b.rate - a.rate).map((rate) => rate.processor_id);
  return { order, rates, explored, exploration_draw };
}
