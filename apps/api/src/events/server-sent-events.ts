import { ServerResponse } from 'node:http';

/** Heartbeats in a row that find the client still not reading what was sent before it is let go. */
const STALLED_HEARTBEATS = 4;

/**
 * One text/event-stream response (the WHATWG "server-sent events" format): events as
 * `id:`/`event:`/`data:` blocks, and a comment line every heartbeat so that an idle stream
 * stays open through proxies and a client can tell a quiet stream from a dead one.
 *
 * Backpressure: send() resolves once the socket has taken the block in (or the client left),
 * so its caller, which waits for it, holds back the next event: at most one block beyond the
 * socket's buffer is ever queued. A client that reads nothing for STALLED_HEARTBEATS heartbeats
 * is disconnected, rather than pinning a subscription forever; it can resume with Last-Event-ID.
 */
export class ServerSentEvents {
  /** Resolves when the response has ended, whoever ended it. */
  readonly closed: Promise<void>;
  private readonly heartbeat: NodeJS.Timeout;
  private stalledHeartbeats = 0;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    heartbeatMs: number,
  ) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: a compressing proxy would hold blocks back to fill its buffers.
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers proxied responses unless told not to.
      'X-Accel-Buffering': 'no',
    });
    response.socket?.setNoDelay(true);
    response.socket?.setKeepAlive(true);
    // A first line at once, so the client sees the stream open before the first event or heartbeat.
    response.write(': connected\n\n');
    this.closed = new Promise((resolve) => response.once('close', resolve));
    void this.closed.then(() => this.stop());
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
  }

  /** Writes one event; resolves when the socket can take more, or the stream has ended. */
  async send(id: string, event: string, data: string): Promise<void> {
    if (this.ended) return;
    // JSON text holds no raw line breaks, so `data` is one line and needs no splitting.
    if (this.response.write(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }

  /** Ends the response; what is still buffered for a client that is not reading is dropped. */
  end(): void {
    if (this.ended) return;
    this.stop();
    if (this.response.writableNeedDrain) this.response.destroy();
    else this.response.end();
  }

  private beat(): void {
    if (this.response.writableNeedDrain) {
      if (++this.stalledHeartbeats >= STALLED_HEARTBEATS) this.response.destroy();
      return;
    }
    this.stalledHeartbeats = 0;
    this.response.write(': heartbeat\n\n');
  }

  private stop(): void {
    this.ended = true;
    clearInterval(this.heartbeat);
  }
}
