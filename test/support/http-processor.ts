import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** The calls after the approval, by the path the http connector posts them to (docs/processors.md). */
export type OperationPath = 'captures' | 'voids' | 'refunds';

export interface ReceivedCall {
  path: OperationPath;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

/** How the processor answers an operation: at once with a status and body, or not until `release`. */
export type OperationAnswer = { status: number; body: object } | 'hold';

/**
 * A processor of the `http` connector that the test drives: it approves every authorization at
 * once and answers captures, voids and refunds as told, holding them (no answer at all) until the
 * test releases them. What it holds has certainly not been answered, so a test can tell what the
 * service does meanwhile without racing a clock.
 */
export class HttpProcessor {
  readonly calls: ReceivedCall[] = [];
  private readonly answers: Record<OperationPath, OperationAnswer> = { captures: OK, voids: OK, refunds: OK };
  private readonly held: Array<{ path: OperationPath; response: ServerResponse }> = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HttpProcessor> {
    let processor: HttpProcessor | undefined;
    const server = createServer((request, response) => void processor!.handle(request, response));
    processor = new HttpProcessor(server);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return processor;
  }

  /** The processor's `http.url`: its authorization endpoint, and the base of the others. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/authorize`;
  }

  /** From now on, answer calls to `path` so. */
  answer(path: OperationPath, answer: OperationAnswer): void {
    this.answers[path] = answer;
  }

  /** Answers every held call to `path` with `answer`, and the later ones too. */
  release(path: OperationPath, answer: { status: number; body: object } = OK): void {
    this.answers[path] = answer;
    for (const call of this.held.filter((entry) => entry.path === path)) {
      call.response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
      this.held.splice(this.held.indexOf(call), 1);
    }
  }

  /** The idempotency keys of the calls to `path`, in the order they came (a call sent again comes again). */
  keysOf(path: OperationPath): string[] {
    return this.calls.filter((call) => call.path === path).map((call) => call.idempotencyKey);
  }

  /** Whether a call to `path` is held, unanswered. */
  holds(path: OperationPath): boolean {
    return this.held.some((entry) => entry.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = /^\/authorize\/(captures|voids|refunds)$/.exec(request.url ?? '')?.[1] as OperationPath | undefined;
    if (request.method === 'POST' && request.url === '/authorize') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ outcome: 'approved', auth_code: 'HTTP01' }));
      return;
    }
    if (request.method !== 'POST' || path === undefined) {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'no_such_route' }));
      return;
    }
    this.calls.push({ path, idempotencyKey: String(request.headers['idempotency-key'] ?? ''), body: JSON.parse(text) as Record<string, unknown> });
    const answer = this.answers[path];
    if (answer === 'hold') {
      this.held.push({ path, response });
      return;
    }
    response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
  }
}

const OK = { status: 200, body: { outcome: 'succeeded' } };
