import { Clock } from '@payments/domain';
import { AuthorizationRequest, AuthorizationResult, AuthorizeOptions, ProcessorConnector, ProcessorProfile } from '../connector';
import { SIGNATURE_HEADER, signPayload } from '../payload-signature';
import { authorizationRequestBody, parseAuthorizationResponse } from './authorization-message';

type Answer = Omit<AuthorizationResult, 'durationMs'>;

/**
 * Why the connection failed, by the error code of the socket layer only: fetch's own messages
 * can quote the URL, which may carry credentials.
 */
function unreachable(error: unknown): Answer {
  // Read by shape: under test runners the error comes from another realm and fails `instanceof Error`.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(cause.code) ? ` (${cause.code})` : '';
  return { outcome: 'error', message: `could not reach the processor${code}` };
}

/** A processor behind an HTTPS endpoint that speaks the contract of DESIGN.md. */
export class HttpConnector implements ProcessorConnector {
  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult> {
    const started = performance.now();
    const answer = await this.call(processor, request, options);
    return { ...answer, durationMs: Math.round(performance.now() - started) };
  }

  private async call(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<Answer> {
    if (!processor.http) return { outcome: 'error', message: 'the processor has no http settings' };
    const body = JSON.stringify(authorizationRequestBody(request, options.optimized));
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    // One deadline for connecting, the headers and the body alike.
    const signal = AbortSignal.timeout(options.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(processor.http.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': options.idempotencyKey,
          [SIGNATURE_HEADER]: signPayload(processor.http.secret, body, timestamp),
        },
        body,
        signal,
        // A redirect would resend the signed card summary somewhere the processor was not configured to be.
        redirect: 'manual',
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) return { outcome: 'timeout', message: `the processor did not answer within ${options.timeoutMs} ms` };
      return unreachable(error);
    }
    if (status < 200 || status > 299) return { outcome: 'error', message: `the processor answered HTTP ${status}` };
    const parsed = parseAuthorizationResponse(text);
    if (!parsed) return { outcome: 'error', message: 'the processor answered with a body that is not an authorization response' };
    return {
      outcome: parsed.outcome,
      ...(parsed.code !== undefined && { code: parsed.code }),
      ...(parsed.auth_code !== undefined && { authCode: parsed.auth_code }),
    };
  }
}
