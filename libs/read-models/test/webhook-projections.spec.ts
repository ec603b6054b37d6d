import { WebhookDeliveryEvent, WebhookEndpointEvent } from '@payments/domain';
import { randomEventId } from '@payments/event-store';
import { MemoryReadModelStore, ProjectionRunner } from '@payments/read-models';
import { listWebhookDeliveries, nextWebhookDeliveries, readyWebhookEndpoints, webhookDeliveries } from '@payments/read-models/projections/webhook-deliveries';
import { listWebhookEndpoints, webhookEndpointsListing } from '@payments/read-models/projections/webhook-endpoints';
import { unscheduledWebhookDeliveries, webhookDeliveryKey, webhookOutbox } from '@payments/read-models/projections/webhook-outbox';
import { useProjectionFixture } from './projection-fixture';

const at = '2026-11-21T10:00:00.000Z';
const inMinutes = (minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();

const endpointCreated = (id: string, accountId: string, events: string[] = ['*']): WebhookEndpointEvent => ({
  type: 'WebhookEndpointCreated',
  data: { endpoint_id: id, account_id: accountId, url: 'https://shop.example/hooks', events, description: null, status: 'enabled', secret: { key_id: 'sk_test', iv: 'aXY', ciphertext: 'eA', tag: 'dGFn' }, created_at: at },
});
const endpointUpdated = (id: string, changes: object): WebhookEndpointEvent => ({ type: 'WebhookEndpointUpdated', data: { endpoint_id: id, changes, updated_at: at } });
const endpointDeleted = (id: string): WebhookEndpointEvent => ({ type: 'WebhookEndpointDeleted', data: { endpoint_id: id, deleted_at: at } });

const scheduled = (id: string, endpointId: string, nextAt = at): WebhookDeliveryEvent => ({
  type: 'WebhookDeliveryScheduled',
  data: {
    delivery_id: id,
    endpoint_id: endpointId,
    account_id: 'acc_stg_a',
    event_id: `evt_stg_${id}`,
    type: 'payment.succeeded',
    source: { stream: 'payment-pay_stg_1', revision: 5, type: 'PaymentSucceeded' },
    created_at: at,
    next_attempt_at: nextAt,
  },
});
const attempted = (id: string, endpointId: string, statusCode: number, next: string | null): WebhookDeliveryEvent => ({
  type: 'WebhookDeliveryAttempted',
  data: { delivery_id: id, endpoint_id: endpointId, attempt: 1, at, status_code: statusCode, duration_ms: 5, error: null, next_attempt_at: next },
});
const succeeded = (id: string, endpointId: string): WebhookDeliveryEvent => ({ type: 'WebhookDeliverySucceeded', data: { delivery_id: id, endpoint_id: endpointId, succeeded_at: at } });

describe('webhook projections', () => {
  const fixture = useProjectionFixture();
  const append = (stream: string, event: { type: string; data: unknown }, accountId?: string) =>
    fixture.events.appendToStream(stream, [{ id: randomEventId(), type: event.type, data: event.data, metadata: { schema_version: 1, ...(accountId && { account_id: accountId }) } }], { expectedRevision: 'any' });

  describe('endpoints listing', () => {
    it("lists each account's live endpoints newest first, without their secrets", async () => {
      await append('webhook_endpoint-we_stg_1', endpointCreated('we_stg_1', 'acc_stg_a'));
      await append('webhook_endpoint-we_stg_2', endpointCreated('we_stg_2', 'acc_stg_a'));
      await append('webhook_endpoint-we_stg_3', endpointCreated('we_stg_3', 'acc_stg_b'));
      await append('webhook_endpoint-we_stg_1', endpointUpdated('we_stg_1', { status: 'disabled' }));
      await append('webhook_endpoint-we_stg_2', endpointDeleted('we_stg_2'));
      await fixture.project(webhookEndpointsListing);

      const { items, total } = await listWebhookEndpoints(fixture.readModels, 'acc_stg_a', { limit: 10, offset: 0 });
      expect([items.map((endpoint) => [endpoint.id, endpoint.status]), total]).toEqual([[['we_stg_1', 'disabled']], 1]);
      expect(JSON.stringify(items)).not.toContain('whsec_');
    });
  });

  describe('deliveries', () => {
    it("keeps each endpoint's log newest first, by status, with every try", async () => {
      await append('webhook_endpoint-we_stg_1', endpointCreated('we_stg_1', 'acc_stg_a'));
      await append('webhook_delivery-whd_stg_1', scheduled('whd_stg_1', 'we_stg_1'));
      await append('webhook_delivery-whd_stg_2', scheduled('whd_stg_2', 'we_stg_1'));
      await append('webhook_delivery-whd_stg_1', attempted('whd_stg_1', 'we_stg_1', 200, null));
      await append('webhook_delivery-whd_stg_1', succeeded('whd_stg_1', 'we_stg_1'));
      await fixture.project(webhookDeliveries);

      const all = await listWebhookDeliveries(fixture.readModels, 'we_stg_1', { limit: 10, offset: 0 });
      expect(all.items.map((d) => [d.id, d.status, d.attempts.length])).toEqual([
        ['whd_stg_2', 'pending', 0],
        ['whd_stg_1', 'succeeded', 1],
      ]);
      expect((await listWebhookDeliveries(fixture.readModels, 'we_stg_1', { status: 'succeeded', limit: 10, offset: 0 })).items.map((d) => d.id)).toEqual(['whd_stg_1']);
    });

    it('lists an endpoint as ready while it has pending deliveries and is enabled and not deleted', async () => {
      const ready = async () => {
        await fixture.project(webhookDeliveries);
        return readyWebhookEndpoints(fixture.readModels);
      };
      await append('webhook_endpoint-we_stg_1', endpointCreated('we_stg_1', 'acc_stg_a'));
      expect(await ready()).toEqual([]);
      await append('webhook_delivery-whd_stg_1', scheduled('whd_stg_1', 'we_stg_1'));
      expect(await ready()).toEqual(['we_stg_1']);
      await append('webhook_endpoint-we_stg_1', endpointUpdated('we_stg_1', { status: 'disabled' }));
      expect(await ready()).toEqual([]);
      await append('webhook_endpoint-we_stg_1', endpointUpdated('we_stg_1', { status: 'enabled' }));
      expect(await ready()).toEqual(['we_stg_1']);
      await append('webhook_delivery-whd_stg_1', attempted('whd_stg_1', 'we_stg_1', 204, null));
      await append('webhook_delivery-whd_stg_1', succeeded('whd_stg_1', 'we_stg_1'));
      expect(await ready()).toEqual([]);
      await append('webhook_delivery-whd_stg_2', scheduled('whd_stg_2', 'we_stg_1'));
      expect(await ready()).toEqual(['we_stg_1']);
      await append('webhook_endpoint-we_stg_1', endpointDeleted('we_stg_1'));
      expect(await ready()).toEqual([]);
    });

    it("orders an endpoint's pending deliveries by when their next try is due", async () => {
      await append('webhook_endpoint-we_stg_1', endpointCreated('we_stg_1', 'acc_stg_a'));
      await append('webhook_delivery-whd_stg_1', scheduled('whd_stg_1', 'we_stg_1', at));
      await append('webhook_delivery-whd_stg_2', scheduled('whd_stg_2', 'we_stg_1', inMinutes(1)));
      await append('webhook_delivery-whd_stg_1', attempted('whd_stg_1', 'we_stg_1', 500, inMinutes(5)));
      await fixture.project(webhookDeliveries);

      const next = await nextWebhookDeliveries(fixture.readModels, 'we_stg_1', 10);
      expect(next.map((d) => [d.id, d.nextAttemptAt])).toEqual([
        ['whd_stg_2', inMinutes(1)],
        ['whd_stg_1', inMinutes(5)],
      ]);
    });
  });

  describe('outbox', () => {
    const outbox = async (readModels = fixture.readModels) => (await unscheduledWebhookDeliveries(readModels, 100)).map((entry) => [entry.event.type, entry.type, entry.endpoint_id]);

    it('holds each event that makes a webhook, per endpoint listening to its type when it was stored', async () => {
      const paid = { type: 'PaymentSucceeded', data: { payment_id: 'pay_stg_1' } };
      await append('payment-pay_stg_0', paid, 'acc_stg_a');
      await append('webhook_endpoint-we_stg_all', endpointCreated('we_stg_all', 'acc_stg_a', ['*']));
      await append('webhook_endpoint-we_stg_failed', endpointCreated('we_stg_failed', 'acc_stg_a', ['payment.failed']));
      await append('webhook_endpoint-we_stg_other', endpointCreated('we_stg_other', 'acc_stg_b', ['*']));
      await append('payment-pay_stg_1', paid, 'acc_stg_a');
      await append('payment-pay_stg_2', { type: 'ProcessorApproved', data: {} }, 'acc_stg_a');
      await append('webhook_endpoint-we_stg_all', endpointUpdated('we_stg_all', { status: 'disabled' }));
      await append('payment-pay_stg_3', { type: 'PaymentFailed', data: {} }, 'acc_stg_a');
      await append('webhook_endpoint-we_stg_all', endpointUpdated('we_stg_all', { status: 'enabled' }));
      await append('webhook_endpoint-we_stg_failed', endpointDeleted('we_stg_failed'));
      await append('checkout_session-cs_stg_1', { type: 'CheckoutSessionExpired', data: {} }, 'acc_stg_a');
      await append('payment-pay_stg_4', paid);
      await fixture.project(webhookOutbox);

      expect(await outbox()).toEqual([
        ['PaymentSucceeded', 'payment.succeeded', 'we_stg_all'],
        ['PaymentFailed', 'payment.failed', 'we_stg_failed'],
        ['CheckoutSessionExpired', 'checkout.session.expired', 'we_stg_all'],
      ]);
    });

    it('drops an entry once its delivery is scheduled, and a rebuild from the start gives the same outbox', async () => {
      await append('webhook_endpoint-we_stg_1', endpointCreated('we_stg_1', 'acc_stg_a'));
      await append('payment-pay_stg_1', { type: 'PaymentSucceeded', data: {} }, 'acc_stg_a');
      await append('payment-pay_stg_2', { type: 'PaymentSucceeded', data: {} }, 'acc_stg_a');
      await fixture.project(webhookOutbox);
      const [entry] = await unscheduledWebhookDeliveries(fixture.readModels, 1);
      expect(entry.key).toBe(webhookDeliveryKey('we_stg_1', entry.event.id));
      expect(entry.event).toMatchObject({ stream: 'payment-pay_stg_1', revision: 0, type: 'PaymentSucceeded' });

      await append(`webhook_delivery-whd_stg_${entry.key}`, scheduled(`whd_stg_${entry.key}`, 'we_stg_1'));
      await fixture.project(webhookOutbox);
      expect((await unscheduledWebhookDeliveries(fixture.readModels, 10)).map((e) => e.event.stream)).toEqual(['payment-pay_stg_2']);

      const rebuilt = new MemoryReadModelStore();
      await new ProjectionRunner(webhookOutbox, fixture.events, rebuilt).catchUp();
      expect(await unscheduledWebhookDeliveries(rebuilt, 10)).toEqual(await unscheduledWebhookDeliveries(fixture.readModels, 10));
    });
  });
});
