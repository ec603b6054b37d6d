import { IncomingMessage, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp } from './test-app';

/** One server-sent event as a client receives it. */
export interface ReceivedEvent {
  id: string;
  event: string;
  data: { id: string; type: string; position: number; [key: string]: unknown };
}

/**
 * A GET /v1/events/stream client on a plain socket, so a test can read slowly, stop reading,
 * or hang up, as real clients do. It parses the stream as EventSource does (blocks end at a
 * blank line; `:` lines are comments) and keeps what arrived.
 */
export class EventStreamClient {
  readonly events: ReceivedEvent[] = [];
  readonly comments: string[] = [];
  /** Every byte received, for looking for what must never be sent. */
  text = '';
  ended = false;
  private pending = '';

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.receive(chunk));
    response.on('close', () => (this.ended = true));
  }

  /** Opens the stream on the listening app; resolves once the response's headers have arrived. */
  static open(t: TestApp, token: string, options: { query?: string; lastEventId?: string } = {}): Promise<EventStreamClient> {
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['Last-Event-ID'] = options.lastEventId;
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, path: `/v1/events/stream${options.query ? `?${options.query}` : ''}`, headers }, (response) => resolve(new EventStreamClient(response)));
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  get status(): number | undefined {
    return this.response.statusCode;
  }

  get ids(): string[] {
    return this.events.map((event) => event.id);
  }

  /** Waits until `done` holds (checked as data arrives and every few milliseconds), or fails after `timeoutMs`. */
  async until(done: (client: this) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline) throw new Error(`the event stream did not show ${what} within ${timeoutMs} ms; it received ${this.events.length} events: ${this.events.map((e) => e.event).join(', ')}`);
      await sleep(10);
    }
  }

  untilEvents(count: number, timeoutMs?: number): Promise<void> {
    return this.until((client) => client.events.length >= count, `${count} events`, timeoutMs);
  }

  /** Hangs up, as a client that goes away does. */
  close(): void {
    this.response.destroy();
  }

  private receive(chunk: string): void {
    this.text += chunk;
    const blocks = (this.pending + chunk).split('\n\n');
    this.pending = blocks.pop() ?? '';
    for (const block of blocks) {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else {
          const colon = line.indexOf(':');
          fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
        }
      }
      if (fields.data !== undefined) this.events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
    }
  }
}

/** The app listening on a free port of 127.0.0.1, for clients that need a socket (SSE, the example consumer). */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
