import { SetMetadata } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, problemType } from '../problem-details';
import { StoredResponse } from './idempotency-store';

export const ONE_TIME_SECRETS = 'idempotency:one-time-secrets';

/**
 * Marks a handler whose successful answer carries secrets shown once (account tokens). Their
 * body is never stored for replay, since only hashes of tokens may be kept; a retry with the
 * same Idempotency-Key gets a 409 saying so instead of a second account.
 */
export const OneTimeSecrets = () => SetMetadata(ONE_TIME_SECRETS, true);

/** The stand-in stored for such a response, replayed to retries. */
export function withheldResponse(instance: string, requestId: string): StoredResponse {
  const { status, title } = PROBLEM_KINDS.idempotency_key_in_use;
  const body = {
    type: problemType('idempotency_key_in_use'),
    title,
    status,
    detail: 'The request with this Idempotency-Key already completed; its response held one-time secrets and is not kept.',
    instance,
    request_id: requestId,
  };
  return { status, contentType: PROBLEM_CONTENT_TYPE, body: Buffer.from(JSON.stringify(body)) };
}
