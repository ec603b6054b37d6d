import { createHmac, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  /** 1 for the first request this receiver got, and so on. */
  number: number;
  receivedAt: number;
  signature: string;
  body: string;
  json: { id: string; type: string; created_at: string; data: Record<string, unknown> };
}

/** What the receiver answers to its n-th request: a status, or 'hang' (no answer at all). */
export type Answer = (request: ReceivedWebhook) => number | 'hang';

/**
 * A merchant's webhook endpoint: a node:http server on 127.0.0.1 that keeps every request and
 * answers as told. Hanging requests are cut when it closes.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];

  private constructor(
    private readonly server: Server,
    public answer: Answer,
  ) {}

  static async start(answer: Answer = () => 200, port = 0): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => void receiver!.handle(request, response));
    receiver = new WebhookReceiver(server, answer);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/webhooks`;
  }

  /** Resolves once `count` requests have come, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`the receiver got ${this.received.length} of ${count} webhooks within ${timeoutMs} ms`);
      await sleep(20);
    }
    return this.received;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const webhook: ReceivedWebhook = { number: this.received.length + 1, receivedAt: Date.now(), signature: String(request.headers['paymentkit-signature'] ?? ''), body, json: JSON.parse(body) };
    this.received.push(webhook);
    const answer = this.answer(webhook);
    if (answer === 'hang') return;
    response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'not now');
  }
}

/**
 * Which of `secrets` signed the webhook, one entry per `v1` value of the header, as docs/webhooks.md
 * tells a merchant to check: HMAC-SHA256 of "<t>.<body>" under the secret, compared in constant time.
 */
export function signersOf(webhook: Pick<ReceivedWebhook, 'signature' | 'body'>, secrets: readonly string[]): (string | undefined)[] {
  const pairs = webhook.signature.split(',').map((part) => part.split('=') as [string, string]);
  const timestamps = pairs.filter(([name]) => name === 't');
  if (timestamps.length !== 1) return [];
  const [, t] = timestamps[0];
  return pairs
    .filter(([name]) => name === 'v1')
    .map(([, value]) =>
      secrets.find((secret) => {
        const expected = createHmac('sha256', secret).update(`${t}.${webhook.body}`).digest();
        const given = Buffer.from(value, 'hex');
        return given.length === expected.length && timingSafeEqual(given, expected);
      }),
    );
}

export function signatureTime(webhook: Pick<ReceivedWebhook, 'signature'>): number {
  return Number(/(?:^|,)t=(\d+)/.exec(webhook.signature)?.[1]);
}
