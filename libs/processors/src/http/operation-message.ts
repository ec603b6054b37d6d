import { CaptureRequest, RefundRequest, VoidRequest } from '../connector';
import { isRecord, optionalString, parseJson } from './json-fields';

/** The JSON of `POST <url>/captures`. */
export interface CaptureRequestBody {
  authorization_key: string;
  auth_code: string | null;
  amount: number;
  currency: string;
}

/** The JSON of `POST <url>/voids`. */
export interface VoidRequestBody {
  authorization_key: string;
  auth_code: string | null;
}

/** The JSON of `POST <url>/refunds`. */
export interface RefundRequestBody {
  authorization_key: string;
  amount: number;
  currency: string;
}

// Picked field by field, like the authorization's body, so that nothing else a caller passed leaves the service.

export function captureRequestBody(request: CaptureRequest): CaptureRequestBody {
  return { authorization_key: request.authorizationKey, auth_code: request.authCode ?? null, amount: request.amount, currency: request.currency };
}

export function voidRequestBody(request: VoidRequest): VoidRequestBody {
  return { authorization_key: request.authorizationKey, auth_code: request.authCode ?? null };
}

export function refundRequestBody(request: RefundRequest): RefundRequestBody {
  return { authorization_key: request.authorizationKey, amount: request.amount, currency: request.currency };
}

/** What an http processor answers to a capture, void or refund with a 2xx. */
export type OperationResponseBody = { outcome: 'succeeded' } | { outcome: 'failed'; code?: string };

/** The processor's answer when `text` is one, else undefined. */
export function parseOperationResponse(text: string): OperationResponseBody | undefined {
  const json = parseJson(text);
  if (!isRecord(json)) return undefined;
  if (json.outcome === 'succeeded') return { outcome: 'succeeded' };
  if (json.outcome !== 'failed') return undefined;
  const code = optionalString(json.code);
  if (!code.ok) return undefined;
  return { outcome: 'failed', ...(code.value !== undefined && { code: code.value }) };
}

/** The `code` of a refusal's body (`{"code": "already_captured"}`), if it has a readable one. */
export function refusalCode(text: string): string | undefined {
  const json = parseJson(text);
  if (!isRecord(json)) return undefined;
  const code = optionalString(json.code);
  return code.ok ? code.value : undefined;
}
