import { ServerResponse } from 'node:http';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { AccountEvents, EventSelection, SETTINGS, Settings } from '@payments/orchestration';
import { errorMessage } from '@payments/orchestration/error-message';
import { ProblemException } from '../http/problem-details';
import { MetricsService } from '../ops/metrics.service';
import { presentEvent } from './event.presenter';
import { ServerSentEvents } from './server-sent-events';

/**
 * The open GET /v1/events/stream responses: each follows the store's log from its resume
 * position through a subscription of its own, and gives it back when its client leaves.
 * Before the application shuts down, every stream is ended (the HTTP server's close would
 * otherwise wait for clients that never hang up) and new ones are refused with 503; clients
 * reconnect, to another instance or after the restart, with Last-Event-ID.
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventStreams.name);
  private readonly streams = new Set<() => Promise<void>>();
  private shuttingDown = false;

  constructor(
    private readonly events: AccountEvents,
    private readonly metrics: MetricsService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /**
   * Answers `response` with the selected events strictly after `after`, then each new one, until
   * either side closes. Each block's `event:` is the event's type, unless `asMessages`: then
   * every block is a plain `message`, which a browser's EventSource hands to one `onmessage`
   * whatever the type (the dashboard's stream, which shows types it has no listener for).
   */
  open(response: ServerResponse, selection: EventSelection, after: bigint, { asMessages = false }: { asMessages?: boolean } = {}): void {
    if (this.shuttingDown) throw new ProblemException('unavailable', 'The service is shutting down; reconnect with Last-Event-ID.');
    const sse = new ServerSentEvents(response, this.settings.eventStreamHeartbeatMs);
    const subscription = this.events.follow(selection, {
      after,
      onEvent: (event) => sse.send(String(event.position), asMessages ? 'message' : event.type, JSON.stringify(presentEvent(event, this.settings.env))),
      onError: (error) => {
        this.logger.warn(`event stream of ${selection.accountId} ended: ${errorMessage(error)}`);
        sse.end();
      },
    });
    const close = async () => {
      sse.end();
      await subscription.stop();
    };
    this.streams.add(close);
    this.metrics.setOpenEventStreams(this.streams.size);
    void sse.closed.then(async () => {
      // From outside onEvent: stop() waits for a send in progress, which the close has released.
      await subscription.stop();
      this.streams.delete(close);
      this.metrics.setOpenEventStreams(this.streams.size);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.streams].map((close) => close()));
  }
}
