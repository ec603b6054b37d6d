import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Clock, WebhookDelivery, WebhookDeliveryEvent, isDue, signingSecrets, streamName, webhookDeliveryDecider, webhookEndpointDecider, webhookTriggerOf } from '@payments/domain';
import { signPayload } from '@payments/processors';
import { ReadModelStore } from '@payments/read-models';
import { nextWebhookDeliveries, readyWebhookEndpoints } from '@payments/read-models/projections/webhook-deliveries';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
import { LeaseKeeper, LeaseRole } from '../leases/lease-keeper';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { SEALED_SECRETS, SealedSecrets } from '../secrets/sealed-secrets';
import { Settings } from '../settings';
import { CLOCK, SETTINGS } from '../tokens';
import { WEBHOOK_METRICS, WEBHOOK_PAYLOADS, WebhookMetrics, WebhookPayloads } from './webhook-ports';
import { WebhookSender, WebhookTry } from './webhook-sender';

/** Tries in flight to one endpoint at most: an endpoint that hangs holds these, never another endpoint's. */
const ENDPOINT_CONCURRENCY = 4;
/** Tries in flight in all, so that many slow endpoints cannot take every socket of the process. */
const MAX_IN_FLIGHT = 256;
/** How often the read model of pending deliveries is asked what is due. */
const TICK_MS = 250;
/** A delivery that could not be tried for a reason of ours (a store down) waits this long before the next go. */
const INTERNAL_RETRY_MS = 5_000;
/**
 * An endpoint whose soonest delivery was not due is read again after this at the latest: another
 * process may have made one due sooner (a retry asked there), which this one hears of no other way.
 */
const NOT_DUE_RECHECK_MS = 1_000;

/**
 * Sends due webhook deliveries and records every try as an event of the delivery's stream.
 * What is due comes from the webhook_deliveries read model (each ready endpoint's pending
 * deliveries by next try), so after a restart every pending delivery is tried at its time;
 * the stream, read again before each try, decides: a delivery acknowledged or moved meanwhile
 * is not sent. A try is recorded only after its answer, so a crash between a 2xx and its record
 * sends that delivery again (at least once: receivers dedupe on the event id).
 *
 * Endpoints are served side by side, each with at most ENDPOINT_CONCURRENCY tries in flight.
 * A disabled endpoint holds its pending deliveries (the read model lists it as not ready); a
 * deleted one gets none again.
 *
 * One process of the deployment sends: the one holding the lease `webhooks` (which the
 * WebhookDeliveryScheduler follows too); the others take over once it lapses. A try in flight
 * when the lease is lost is finished and recorded; the new holder may send that delivery again
 * meanwhile, which at least once allows.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perEndpoint = new Map<string, number>();
  /** Deliveries whose last go failed on our side, until when they wait. */
  private readonly resting = new Map<string, { endpointId: string; untilMs: number }>();
  /**
   * Endpoints whose soonest pending delivery was not due at the last look, and when it is: not
   * read again before then. What makes a delivery due sooner (a new one, a manual retry, a try of
   * ours) comes through deliverSoon or an attempt here, which forget the endpoint's entry.
   */
  private readonly notDueBefore = new Map<string, number>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly lease: LeaseRole;

  constructor(
    private readonly runner: CommandRunner,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    private readonly sender: WebhookSender,
    @Inject(WEBHOOK_PAYLOADS) private readonly payloads: WebhookPayloads,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(SEALED_SECRETS) private readonly secrets: SealedSecrets,
    leases: LeaseKeeper,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {
    this.lease = leases.role('webhooks');
  }

  onApplicationBootstrap(): void {
    this.lease.start();
    this.scheduleTick();
  }

  /** Whether this process is the one that schedules and sends webhooks now. */
  get sending(): boolean {
    return this.lease.held;
  }

  /**
   * Starts no further try and cuts short those in flight, unrecorded: a try cut off may have
   * reached its receiver or not, and the next start makes it again. Then the sockets close.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all(this.inFlight.values());
    await this.lease.stop();
    await this.sender.close();
  }

  /**
   * A delivery just scheduled or asked to be retried: tried at once if its endpoint has room,
   * else at a later tick; in another process when that one sends webhooks (within NOT_DUE_RECHECK_MS).
   */
  deliverSoon(deliveryId: string, endpointId: string): void {
    if (!this.lease.held) return;
    this.notDueBefore.delete(endpointId);
    this.start(deliveryId, endpointId);
  }

  /** One pass over the ready endpoints: starts each one's due deliveries, up to its room. */
  async tick(): Promise<void> {
    const now = this.clock.now();
    for (const [deliveryId, rest] of this.resting) if (rest.untilMs <= Date.now()) this.resting.delete(deliveryId);
    for (const endpointId of await readyWebhookEndpoints(this.store)) {
      if (this.stopping.signal.aborted || this.inFlight.size >= MAX_IN_FLIGHT) return;
      const busy = this.perEndpoint.get(endpointId) ?? 0;
      if (busy >= ENDPOINT_CONCURRENCY || (this.notDueBefore.get(endpointId) ?? 0) > now.getTime()) continue;
      // Those in flight or resting come first in the list too, so they are read past.
      const skipped = busy + [...this.resting.values()].filter((rest) => rest.endpointId === endpointId).length;
      const next = await nextWebhookDeliveries(this.store, endpointId, ENDPOINT_CONCURRENCY + skipped);
      for (const delivery of next) {
        if (!isDue(delivery, now)) {
          if (busy === 0 && delivery === next[0]) this.notDueBefore.set(endpointId, Math.min(Date.parse(delivery.nextAttemptAt!), now.getTime() + NOT_DUE_RECHECK_MS));
          break;
        }
        this.start(delivery.id, endpointId);
      }
    }
  }

  private scheduleTick(): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.ticking = (this.lease.held ? this.tick() : Promise.resolve())
        .catch((error: unknown) => this.logger.error(`could not read the pending webhook deliveries, trying again: ${errorMessage(error)}`))
        .finally(() => {
          this.ticking = undefined;
          this.scheduleTick();
        });
    }, TICK_MS);
  }

  private start(deliveryId: string, endpointId: string): void {
    if (this.stopping.signal.aborted || this.inFlight.has(deliveryId) || this.inFlight.size >= MAX_IN_FLIGHT) return;
    if ((this.perEndpoint.get(endpointId) ?? 0) >= ENDPOINT_CONCURRENCY) return;
    const rest = this.resting.get(deliveryId);
    if (rest && rest.untilMs > Date.now()) return;
    this.resting.delete(deliveryId);
    this.perEndpoint.set(endpointId, (this.perEndpoint.get(endpointId) ?? 0) + 1);
    const attempt = this.attempt(deliveryId)
      .catch((error: unknown) => {
        this.resting.set(deliveryId, { endpointId, untilMs: Date.now() + INTERNAL_RETRY_MS });
        this.logger.error(`webhook delivery ${deliveryId} to endpoint ${endpointId}: could not make a try, again in ${INTERNAL_RETRY_MS} ms: ${errorMessage(error)}`);
      })
      .finally(() => {
        this.inFlight.delete(deliveryId);
        this.notDueBefore.delete(endpointId);
        const left = (this.perEndpoint.get(endpointId) ?? 1) - 1;
        if (left > 0) this.perEndpoint.set(endpointId, left);
        else this.perEndpoint.delete(endpointId);
      });
    this.inFlight.set(deliveryId, attempt);
  }

  /** One try of the delivery, if the stream still says it is due and its endpoint takes it. */
  private async attempt(deliveryId: string): Promise<void> {
    const stream = streamName('webhook_delivery', deliveryId);
    const { state, recorded } = await this.runner.loadRecorded(stream, webhookDeliveryDecider);
    if (state.status === 'none' || !isDue(state.delivery, this.clock.now())) return;
    const delivery = state.delivery;
    const endpointState = await this.runner.load(streamName('webhook_endpoint', delivery.endpointId), webhookEndpointDecider);
    // Disabled: held until enabled again. Deleted: never sent.
    if (endpointState.status !== 'live' || endpointState.endpoint.status !== 'enabled') return;
    const endpoint = endpointState.endpoint;
    const body = JSON.stringify(await this.body(delivery));
    const at = this.clock.now();
    // Opened only to sign; a secret no key held opens fails the try before anything is sent (logged, tried again).
    const secrets = signingSecrets(endpoint, at).map((secret) => this.secrets.open(secret, streamName('webhook_endpoint', endpoint.id)));
    const signature = signPayload(secrets, body, Math.floor(at.getTime() / 1000));
    const answer = await this.sender.send(endpoint.url, body, signature, this.stopping.signal);
    if (answer === undefined) return;
    const { events } = await this.runner.run(
      stream,
      webhookDeliveryDecider,
      {
        type: 'RecordWebhookDeliveryAttempt',
        deliveryId,
        attempt: { at: at.toISOString(), status_code: answer.statusCode, duration_ms: answer.durationMs, error: answer.error },
        retryScheduleMs: this.settings.webhookRetryScheduleMs,
      },
      { metadata: { accountId: delivery.accountId, correlationId: recorded[0].metadata.correlation_id, causationId: recorded[recorded.length - 1].id }, retries: 3 },
    );
    this.count(answer, events.map((event) => event.type));
    if (answer.outcome !== 'acknowledged') this.logFailedTry(delivery, answer, events);
  }

  /** API.md: `{id, type, created_at, data}`, `data` the object as the API shows it at the event. */
  private async body(delivery: WebhookDelivery) {
    const trigger = webhookTriggerOf(delivery.source.type);
    if (!trigger) throw new Error(`stored events of type ${delivery.source.type} make no webhook`);
    return { id: delivery.eventId, type: delivery.type, created_at: delivery.createdAt, data: await this.payloads.data(delivery, trigger.object) };
  }

  private count(answer: WebhookTry, recorded: readonly string[]): void {
    this.metrics?.recordWebhookAttempt(answer.outcome);
    if (recorded.includes('WebhookDeliverySucceeded')) this.metrics?.recordWebhookDelivery('succeeded');
    if (recorded.includes('WebhookDeliveryFailed')) this.metrics?.recordWebhookDelivery('failed');
  }

  /** Names the endpoint and the delivery, never the URL (its query may hold a token), the secret or the body. */
  private logFailedTry(delivery: WebhookDelivery, answer: WebhookTry, events: readonly WebhookDeliveryEvent[]): void {
    const attempted = events.flatMap((event) => (event.type === 'WebhookDeliveryAttempted' ? [event.data] : []))[0];
    const why = [answer.statusCode === null ? null : `HTTP ${answer.statusCode}`, answer.error].filter(Boolean).join(', ');
    const next = attempted?.next_attempt_at ? `next try at ${attempted.next_attempt_at}` : 'no try left: the delivery failed';
    this.logger.warn(`webhook delivery ${delivery.id} to endpoint ${delivery.endpointId}: try ${attempted?.attempt ?? '?'} failed (${why}); ${next}`);
  }
}

