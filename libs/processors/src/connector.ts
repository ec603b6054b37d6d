import type { StoredSecret } from '@payments/domain';

/** How the service talks to a processor; `ProcessorProfile.connector` picks the implementation. */
export type ConnectorKind = 'simulator' | 'http';

export type SimulatorOutcomeSetting = 'approve' | 'decline' | 'timeout' | 'error';

export type SimulatorRefundOutcomeSetting = 'succeed' | 'fail';

/** The `simulator` settings of a processor (API.md "Processors"). */
export interface SimulatorSettings {
  outcome: SimulatorOutcomeSetting;
  /** Code of a `decline` outcome; '05' when absent. */
  decline_code?: string;
  /** Delay before the simulated processor answers any call it has not answered before. */
  latency_ms?: number;
  /** Decline ('05') every try that is not optimized and approve an optimized retry. */
  approve_optimized_retry?: boolean;
  /**
   * With outcome `timeout` or `error`: approve and keep the charge although the answer is lost,
   * the case the `uncertain` flag of an authorization exists for.
   */
  charge_on_timeout?: boolean;
  /** Whether refunds succeed or fail with a definite answer ('succeed' when absent). */
  refund_outcome?: SimulatorRefundOutcomeSetting;
  /**
   * 0..1: approve this share of payments, drawn from a hash of processor and payment (so one
   * payment draws the same at one processor on every try); the rest get `outcome`, or a decline
   * with `decline_code` when `outcome` is `approve`. Absent or null: `outcome` alone decides.
   */
  approval_rate?: number | null;
}

export interface HttpConnectorSettings {
  /**
   * The authorization endpoint, and the base of the others (`<url>/captures`, `<url>/voids`,
   * `<url>/refunds`, `<url>/authorizations/<key>`; docs/processors.md).
   */
  url: string;
  /**
   * Signs each request (`PaymentKit-Signature`), as the processor's events store it: sealed, so
   * the connector opens it (SigningSecretOpener) only to sign; never logged or put into a result message.
   */
  secret: StoredSecret;
}

/** Opens a stored signing secret of the owner `context` names (its stream); throws when no key held opens it. */
export interface SigningSecretOpener {
  open(secret: StoredSecret, context: string): string;
}

/** What a connector needs to know of a processor, and nothing more. */
export interface ProcessorProfile {
  id: string;
  accountId: string;
  connector: ConnectorKind;
  /** The processor's configured `timeout_ms`; callers usually pass it as the call's `timeoutMs`. */
  timeoutMs: number;
  simulator?: SimulatorSettings;
  http?: HttpConnectorSettings;
}

export interface CardSummary {
  network: string;
  /** First six digits. */
  bin: string;
  last4: string;
  /** An opaque token standing for the card where a vault provides one. */
  token?: string;
}

/** Never holds a full card number or cvc: those stop at the API edge. */
export interface AuthorizationRequest {
  paymentId: string;
  /** Minor units. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  card: CardSummary;
}

/**
 * `automatic`: the processor captures the whole amount with the approval (a sale), so the money
 * is taken and only a refund gives it back. `manual`: it only authorizes (a hold), to be captured
 * or voided later.
 */
export type CaptureMethod = 'automatic' | 'manual';

export interface AuthorizeOptions {
  /**
   * Names the authorization at the processor: a repeated key is answered with its first answer,
   * so a re-sent attempt never charges twice; capture, void, refund and status refer to it.
   */
  idempotencyKey: string;
  /** The connector gives up after this long and answers 'timeout' (uncertain). */
  timeoutMs: number;
  /** An optimized retry (e.g. network token, adjusted descriptors) after a soft decline. */
  optimized: boolean;
  /** Absent: 'automatic', the meaning of an approval before manual capture existed. */
  captureMethod?: CaptureMethod;
}

export type AuthorizationOutcome = 'approved' | 'declined' | 'timeout' | 'error';

export interface AuthorizationResult {
  outcome: AuthorizationOutcome;
  /**
   * True when the answer does not say whether the card was charged: the call timed out, could
   * not connect, got a 5xx (or another answer that says "not now": 408, 409, 425, 429) or an
   * unreadable 2xx, or the processor itself said `timeout`. Only with outcome 'timeout' or
   * 'error'. Record such an attempt as unknown and learn the truth with `status(idempotencyKey)`;
   * never count it as a decline. False for every definite answer: approved, declined, an error
   * the processor stated (a 2xx saying `error`, another 4xx, a 3xx), and one that stopped the
   * call before it was sent (no settings, no connector): then nothing was charged.
   */
  uncertain: boolean;
  /** Decline or response code. */
  code?: string;
  authCode?: string;
  /** Wall time of the call as the caller saw it. */
  durationMs: number;
  /**
   * Why a call failed or is uncertain, for people ("could not reach the processor (ECONNREFUSED)",
   * "the processor did not answer within 5000 ms", "the processor answered HTTP 503"); never
   * holds secrets, URLs or card data.
   */
  message?: string;
}

/** Names one authorization, by the idempotency key it was made with. */
export interface AuthorizationReference {
  authorizationKey: string;
  /** The auth code the approval carried, when the processor gave one. */
  authCode?: string;
}

export interface CaptureRequest extends AuthorizationReference {
  /** Minor units, 1..the authorized amount; less than that is a partial capture. */
  amount: number;
  currency: string;
}

export type VoidRequest = AuthorizationReference;

export interface RefundRequest {
  /** The captured authorization to refund (there is at most one capture per authorization). */
  authorizationKey: string;
  /** Minor units; all refunds of an authorization together at most its captured amount. */
  amount: number;
  currency: string;
}

export interface OperationOptions {
  /**
   * Names this capture, void or refund at the processor (not the authorization's key): a repeat
   * is answered with the first answer and does nothing again, so a retry or a resumed call is safe.
   */
  idempotencyKey: string;
  timeoutMs: number;
}

export interface StatusOptions {
  timeoutMs: number;
}

/** The answer to a capture, void or refund. */
export type OperationResult =
  /** Done (or done before, under the same key). */
  | { outcome: 'succeeded'; durationMs: number }
  /**
   * Definitely not done, and nothing changed at the processor: the processor refused (e.g.
   * `authorization_not_found`, `already_captured`, `amount_exceeds_authorized`, `refund_declined`,
   * an http 4xx as `http_<status>`). A repeat under the same key gets the same answer.
   */
  | { outcome: 'failed'; code?: string; message?: string; durationMs: number }
  /** No definite answer (as `AuthorizationResult.uncertain`): it may have happened. Repeat it under the same key. */
  | { outcome: 'unknown'; message: string; durationMs: number };

/** Where an approved authorization stands now. */
export type AuthorizationState = 'authorized' | 'captured' | 'voided';

/** What the processor knows of an authorization, asked by its idempotency key. */
export type StatusResult =
  /**
   * The processor approved it, also when its answer was lost. `state`, `capturedAmount` and
   * `refundedAmount` are there when the connector can say (the simulator always does): a live
   * authorization is `authorized`; a captured one stays `captured` when refunded, with
   * `refundedAmount` saying how much.
   */
  | { outcome: 'approved'; authCode?: string; state?: AuthorizationState; capturedAmount?: number; refundedAmount?: number; durationMs: number }
  /** The processor has it and did not approve it (declined, or failed on its side): nothing is charged. */
  | { outcome: 'declined'; code?: string; durationMs: number }
  /**
   * The processor never saw the key, so nothing is charged under it. A request still in flight
   * could reach it later: ask once the call's timeout has passed.
   */
  | { outcome: 'not_found'; durationMs: number }
  /** No definite answer; ask again later. */
  | { outcome: 'unknown'; message: string; durationMs: number };

/**
 * One processor's API as the service uses it. No method rejects for a processor failure:
 * timeouts, connection errors, 5xx and unreadable answers come back as uncertain or unknown
 * results, so every call's outcome can be recorded. Every call that changes something carries
 * an idempotency key the caller derived from its own operation and stored before the call.
 */
export interface ProcessorConnector {
  /** Asks the processor to authorize (and, with captureMethod 'automatic', capture) a payment. */
  authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult>;
  /** Captures (part of) a live authorization, once. */
  capture(processor: ProcessorProfile, request: CaptureRequest, options: OperationOptions): Promise<OperationResult>;
  /** Releases an authorization that was not captured; a voided authorization can no longer be captured. */
  void(processor: ProcessorProfile, request: VoidRequest, options: OperationOptions): Promise<OperationResult>;
  /** Gives back (part of) a captured amount; several refunds may follow one another up to it. */
  refund(processor: ProcessorProfile, request: RefundRequest, options: OperationOptions): Promise<OperationResult>;
  /** What became of the authorization made under `authorizationKey`; changes nothing. */
  status(processor: ProcessorProfile, authorizationKey: string, options: StatusOptions): Promise<StatusResult>;
}
