import { AuthorizationOutcome, AuthorizationRequest, CaptureMethod } from '../connector';
import { isRecord, optionalString, parseJson } from './json-fields';

/** The JSON an http processor receives (DESIGN.md): the card only as network, bin, last4 and token. */
export interface AuthorizationRequestBody {
  amount: number;
  currency: string;
  card: { network: string; bin: string; last4: string; token: string | null };
  optimized: boolean;
  capture_method: CaptureMethod;
}

/** What an http processor answers with a 2xx. */
export interface AuthorizationResponseBody {
  outcome: AuthorizationOutcome;
  code?: string;
  auth_code?: string;
}

export function authorizationRequestBody(request: AuthorizationRequest, options: { optimized: boolean; captureMethod: CaptureMethod }): AuthorizationRequestBody {
  // Picked field by field so that nothing else a caller put on the card can leave the service.
  const { network, bin, last4, token } = request.card;
  return {
    amount: request.amount,
    currency: request.currency,
    card: { network, bin, last4, token: token ?? null },
    optimized: options.optimized,
    capture_method: options.captureMethod,
  };
}

const OUTCOMES = ['approved', 'declined', 'timeout', 'error'] as const satisfies readonly AuthorizationOutcome[];

function isOutcome(value: unknown): value is AuthorizationOutcome {
  return (OUTCOMES as readonly unknown[]).includes(value);
}

/** The processor's answer when `text` is one, else undefined. */
export function parseAuthorizationResponse(text: string): AuthorizationResponseBody | undefined {
  const json = parseJson(text);
  if (!isRecord(json) || !isOutcome(json.outcome)) return undefined;
  const code = optionalString(json.code);
  const authCode = optionalString(json.auth_code);
  if (!code.ok || !authCode.ok) return undefined;
  return {
    outcome: json.outcome,
    ...(code.value !== undefined && { code: code.value }),
    ...(authCode.value !== undefined && { auth_code: authCode.value }),
  };
}
