import { performance } from 'node:perf_hooks';
import { isPublicAddress, webhookUrlHost } from '@payments/domain';
import { SIGNATURE_HEADER } from '@payments/processors';
import ipaddr from 'ipaddr.js';
import { Agent, errors, request } from 'undici';
import { PRIVATE_ADDRESS, publicAddressLookup } from './webhook-url-checker';

/** API.md: only a 2xx within 10 s counts. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Of an answer's body only this much is read, and none of it kept: a receiver's answer is not ours to store. */
const MAX_RESPONSE_BYTES = 4096;

export type WebhookTryOutcome = 'acknowledged' | 'http_error' | 'timeout' | 'unreachable';

/** One try as the delivery log records it. */
export interface WebhookTry {
  outcome: WebhookTryOutcome;
  statusCode: number | null;
  durationMs: number;
  /** Why a try failed without a status, or why a status did not count; null for a plain answer. */
  error: string | null;
}

export interface WebhookSenderOptions {
  timeoutMs?: number;
  /** Refuse to connect to anything but public addresses (prod without WEBHOOK_ALLOW_PRIVATE_URLS). */
  publicAddressesOnly: boolean;
}

/**
 * POSTs signed webhook bodies with undici. Redirects are not followed: a 3xx is a failed try, so
 * a signed body never goes anywhere but the endpoint's URL (nor, through a redirect, to an
 * address the URL rule refuses). One deadline covers connecting, the answer's headers and the
 * little of its body that is read.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.agent = new Agent({
      connect: { timeout: this.timeoutMs, ...(options.publicAddressesOnly && { lookup: publicAddressLookup }) },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Settles with the try, or with undefined when `cancel` aborted it (the service is stopping: nothing is known of it). */
  async send(url: string, body: string, signature: string, cancel: AbortSignal): Promise<WebhookTry | undefined> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const host = webhookUrlHost(url);
    // An IP literal is connected to without a lookup, so publicAddressLookup never sees it.
    if (this.options.publicAddressesOnly && host !== undefined && ipaddr.isValid(host) && !isPublicAddress(host)) {
      return { outcome: 'unreachable', statusCode: null, durationMs: 0, error: 'the URL names a loopback, private or link-local address' };
    }
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'PaymentKit-Webhooks/1', [SIGNATURE_HEADER]: signature },
        body,
        dispatcher: this.agent,
        signal: AbortSignal.any([deadline, cancel]),
      });
      await readAtMost(response.body, MAX_RESPONSE_BYTES);
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { outcome: 'acknowledged', statusCode: status, durationMs: elapsed(), error: null };
      const redirect = status >= 300 && status < 400 ? 'redirects are not followed' : null;
      return { outcome: 'http_error', statusCode: status, durationMs: elapsed(), error: redirect };
    } catch (error) {
      if (cancel.aborted) return undefined;
      if (deadline.aborted || error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError) {
        return { outcome: 'timeout', statusCode: null, durationMs: elapsed(), error: `no answer within ${this.timeoutMs} ms` };
      }
      return { outcome: 'unreachable', statusCode: null, durationMs: elapsed(), error: unreachable(error) };
    }
  }

  /** Drops open connections and whatever is in flight. */
  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

async function readAtMost(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<void> {
  let read = 0;
  for await (const chunk of body) {
    read += chunk.length;
    if (read >= limit) {
      body.destroy();
      return;
    }
  }
}

/**
 * Why the connection failed, by the socket layer's error code only: messages can quote the URL,
 * whose query may hold a token of the merchant's.
 */
function unreachable(error: unknown): string {
  for (let cause = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; cause && depth < 4; cause = cause.cause as typeof cause, depth++) {
    if (cause.code === PRIVATE_ADDRESS) return 'the host resolves to a loopback, private or link-local address';
    if (typeof cause.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(cause.code)) return `could not connect (${cause.code})`;
  }
  return 'could not connect';
}
