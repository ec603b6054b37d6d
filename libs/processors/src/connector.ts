/** How the service talks to a processor; `ProcessorProfile.connector` picks the implementation. */
export type ConnectorKind = 'simulator' | 'http';

export type SimulatorOutcomeSetting = 'approve' | 'decline' | 'timeout' | 'error';

/** The `simulator` settings of a processor (API.md "Processors"). */
export interface SimulatorSettings {
  outcome: SimulatorOutcomeSetting;
  /** Code of a `decline` outcome; '05' when absent. */
  decline_code?: string;
  /** Delay before the simulated processor answers. */
  latency_ms?: number;
  /** Decline ('05') every try that is not optimized and approve an optimized retry. */
  approve_optimized_retry?: boolean;
}

export interface HttpConnectorSettings {
  url: string;
  /** Signs each request (`PaymentKit-Signature`); never logged or put into a result message. */
  secret: string;
}

/** What a connector needs to know of a processor, and nothing more. */
export interface ProcessorProfile {
  id: string;
  accountId: string;
  connector: ConnectorKind;
  /** The processor's configured `timeout_ms`; callers usually pass it as `AuthorizeOptions.timeoutMs`. */
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

export interface AuthorizeOptions {
  /** The processor answers a repeated key with its first answer, so a re-sent attempt never charges twice. */
  idempotencyKey: string;
  /** The connector gives up after this long and answers 'timeout'. */
  timeoutMs: number;
  /** An optimized retry (e.g. network token, adjusted descriptors) after a soft decline. */
  optimized: boolean;
}

export type AuthorizationOutcome = 'approved' | 'declined' | 'timeout' | 'error';

export interface AuthorizationResult {
  outcome: AuthorizationOutcome;
  /** Decline or response code. */
  code?: string;
  authCode?: string;
  /** Wall time of the call as the caller saw it. */
  durationMs: number;
  /** Why a call failed, for people; never holds secrets or card data. */
  message?: string;
}

export interface ProcessorConnector {
  /**
   * Asks the processor to authorize. Never rejects for a processor failure: timeouts answer
   * 'timeout', and network failures, non-2xx and unreadable answers answer 'error', so the
   * cascade can record every attempt's outcome.
   */
  authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult>;
}
