import { AuthorizationOutcome, AuthorizationRequest } from '../connector';

/** The JSON an http processor receives (DESIGN.md): the card only as network, bin, last4 and token. */
export interface AuthorizationRequestBody {
  amount: number;
  currency: string;
  card: { network: string; bin: string; last4: string; token: string | null };
  optimized: boolean;
}

/** What an http processor answers with a 2xx. */
export interface AuthorizationResponseBody {
  outcome: AuthorizationOutcome;
  code?: string;
  auth_code?: string;
}

export function authorizationRequestBody(request: AuthorizationRequest, optimized: boolean): AuthorizationRequestBody {
  // Picked field by field so that nothing else a caller put on the card can leave the service.
  const { network, bin, last4, token } = request.card;
  return { amount: request.amount, currency: request.currency, card: { network, bin, last4, token: token ?? null }, optimized };
}

const OUTCOMES = ['approved', 'declined', 'timeout', 'error'] as const satisfies readonly AuthorizationOutcome[];

function isOutcome(value: unknown): value is AuthorizationOutcome {
  return (OUTCOMES as readonly unknown[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent and null both mean "not given"; anything but a string is a broken answer. */
function optionalString(value: unknown): { ok: true; value?: string } | { ok: false } {
  if (value === undefined || value === null) return { ok: true };
  return typeof value === 'string' ? { ok: true, value } : { ok: false };
}

/** The processor's answer when `text` is one, else undefined. */
export function parseAuthorizationResponse(text: string): AuthorizationResponseBody | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
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
