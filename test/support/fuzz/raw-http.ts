import { Agent, IncomingHttpHeaders, OutgoingHttpHeaders, request } from 'node:http';
import { toStringMethod } from 'fast-check';

/** Text shortened for a failure message: its start, its length, and control characters made visible. */
export function excerpt(text: string | Buffer | undefined, length = 400): string {
  if (text === undefined) return '(none)';
  const whole = Buffer.isBuffer(text) ? text.toString('latin1') : text;
  const shown = JSON.stringify(whole.length > length ? whole.slice(0, length) : whole);
  return whole.length > length ? `${shown}… (${whole.length} characters)` : shown;
}

/**
 * A request exactly as sent, byte for byte: supertest (superagent) sets content types and
 * encodes paths itself, which would hide the very oddities a fuzzer sends. Prints itself
 * shortened, so a counterexample with a 100 kB body stays readable.
 */
export class FuzzRequest {
  constructor(
    readonly operation: string,
    readonly method: string,
    /** Path and query, already percent-encoded. */
    readonly path: string,
    readonly headers: OutgoingHttpHeaders,
    readonly body: string | Buffer | undefined,
    /** What the generator did to a valid-looking request, in words. */
    readonly attack: string,
  ) {}

  /** Every text of the request, for looking for what it planted (card numbers, ids). */
  text(): string {
    return `${this.path}\n${JSON.stringify(this.headers)}\n${Buffer.isBuffer(this.body) ? this.body.toString('latin1') : (this.body ?? '')}`;
  }

  describe(): string {
    return [
      `${this.method} ${excerpt(this.path, 300)} (operation ${this.operation}; ${this.attack})`,
      `  headers: ${excerpt(JSON.stringify(this.headers), 600)}`,
      `  body: ${excerpt(this.body)}`,
    ].join('\n');
  }

  [toStringMethod](): string {
    return this.describe();
  }
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** How long an event stream is read: its first events come at once, its heartbeat only after 15 s. */
const STREAM_READ_MS = 50;

/** Sends the request to 127.0.0.1:port and reads the whole answer; a request nobody answers in 30 s fails. */
export function send(port: number, fuzz: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...fuzz.headers };
    if (fuzz.body !== undefined && !Object.keys(headers).some((name) => /^(content-length|transfer-encoding)$/i.test(name))) {
      headers['Content-Length'] = Buffer.byteLength(fuzz.body);
    }
    const outgoing = request({ host: '127.0.0.1', port, method: fuzz.method, path: fuzz.path, headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      const answer = () => ({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') });
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => resolve(answer()));
      // A stream of server-sent events never ends: what it sends at once is its answer.
      if (String(incoming.headers['content-type']).startsWith('text/event-stream')) {
        setTimeout(() => {
          resolve(answer());
          outgoing.destroy();
        }, STREAM_READ_MS);
      }
    });
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('no answer within 30 s')));
    outgoing.on('error', reject);
    outgoing.end(fuzz.body);
  });
}

export const closeConnections = () => agent.destroy();
