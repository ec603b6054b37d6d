import { AuthorizationState } from '../connector';
import { isRecord, optionalAmount, optionalString, parseJson } from './json-fields';

/** What an http processor answers to `GET <url>/authorizations/<key>`. */
export type StatusResponseBody =
  | { outcome: 'approved'; auth_code?: string; state?: AuthorizationState; captured_amount?: number; refunded_amount?: number }
  | { outcome: 'declined'; code?: string }
  | { outcome: 'not_found' };

const STATES: readonly unknown[] = ['authorized', 'captured', 'voided'] satisfies AuthorizationState[];

/** The processor's answer when `text` is one, else undefined. */
export function parseStatusResponse(text: string): StatusResponseBody | undefined {
  const json = parseJson(text);
  if (!isRecord(json)) return undefined;
  switch (json.outcome) {
    case 'not_found':
      return { outcome: 'not_found' };
    case 'declined': {
      const code = optionalString(json.code);
      return code.ok ? { outcome: 'declined', ...(code.value !== undefined && { code: code.value }) } : undefined;
    }
    case 'approved': {
      const authCode = optionalString(json.auth_code);
      const captured = optionalAmount(json.captured_amount);
      const refunded = optionalAmount(json.refunded_amount);
      const state = json.state ?? undefined;
      if (!authCode.ok || !captured.ok || !refunded.ok || (state !== undefined && !STATES.includes(state))) return undefined;
      return {
        outcome: 'approved',
        ...(authCode.value !== undefined && { auth_code: authCode.value }),
        ...(state !== undefined && { state: state as AuthorizationState }),
        ...(captured.value !== undefined && { captured_amount: captured.value }),
        ...(refunded.value !== undefined && { refunded_amount: refunded.value }),
      };
    }
    default:
      return undefined;
  }
}
