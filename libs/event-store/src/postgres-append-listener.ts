import { Pool, PoolClient } from 'pg';
import { AppendSignal } from './append-signal';
import { PostgresLogger, describeError } from './postgres-errors';
import { APPENDED_CHANNEL } from './postgres-event-store-schema';

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

/**
 * Wakes this process's subscriptions when any process's append commits: one connection of the
 * pool LISTENs on the channel every append notifies in its transaction. It only wakes them
 * sooner: the subscriptions also poll, so a notification lost while the connection was down
 * (a server restart) only delays delivery. A lost connection is replaced with growing pauses
 * (every failure logged and counted), and once listening again the subscriptions are woken to
 * read what was appended meanwhile.
 */
export class PostgresAppendListener {
  private client: PoolClient | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly appends: AppendSignal,
    private readonly logger: PostgresLogger,
  ) {}

  /** Starts listening unless it already does (or is on the way to). */
  start(): void {
    if (this.stopped || this.client || this.connecting || this.retryTimer) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
  }

  private async connect(): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const listening = client;
      listening.on('notification', () => this.appends.notify());
      listening.on('error', (error) => this.lost(listening, error));
      listening.on('end', () => this.lost(listening, new Error('the connection ended')));
      await listening.query(`LISTEN ${APPENDED_CHANNEL}`);
      if (this.stopped) {
        listening.release();
        return;
      }
      this.client = listening;
      if (this.failures > 0) this.logger.log(`listening for appends again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      // What was appended while nobody listened is only found by reading.
      this.appends.notify();
    } catch (error) {
      client?.release(error instanceof Error ? error : true);
      this.retryLater(error);
    }
  }

  private lost(client: PoolClient, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(error instanceof Error ? error : true);
    this.retryLater(error);
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** (this.failures - 1), LONGEST_RETRY_MS);
    this.logger.warn(`not listening for appends (${describeError(error)}); attempt ${this.failures} to listen again in ${delay} ms, polling meanwhile`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, delay);
  }

  /**
   * Ends its connection (the pool's owner ends the pool). It does not wait for a connection
   * under way, which may never come while the server is away: that one is ended on arrival.
   */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    // Destroyed rather than returned: an UNLISTEN could wait on a server that is gone.
    client?.release(true);
  }
}
