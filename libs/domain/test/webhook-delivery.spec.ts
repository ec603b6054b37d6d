import { WebhookDeliveryCommand, WebhookDeliveryEvent, fold, isDue, webhookDeliveryDecider } from '@payments/domain';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(webhookDeliveryDecider, { now });
const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
const ref = { delivery_id: 'whd_stg_1', endpoint_id: 'we_stg_1' };
const SCHEDULE = [60_000, 300_000];

const schedule: WebhookDeliveryCommand = {
  type: 'ScheduleWebhookDelivery',
  deliveryId: 'whd_stg_1',
  accountId: 'acc_stg_a',
  endpointId: 'we_stg_1',
  eventId: 'evt_stg_0123',
  webhookType: 'payment.succeeded',
  source: { stream: 'payment-pay_stg_1', revision: 7, type: 'PaymentSucceeded' },
  createdAt: '2026-11-21T09:59:59.000Z',
};
const scheduled: WebhookDeliveryEvent = {
  type: 'WebhookDeliveryScheduled',
  data: {
    ...ref,
    account_id: 'acc_stg_a',
    event_id: 'evt_stg_0123',
    type: 'payment.succeeded',
    source: { stream: 'payment-pay_stg_1', revision: 7, type: 'PaymentSucceeded' },
    created_at: '2026-11-21T09:59:59.000Z',
    next_attempt_at: now.toISOString(),
  },
};
const tried = (status_code: number | null, error: string | null = null): WebhookDeliveryCommand => ({
  type: 'RecordWebhookDeliveryAttempt',
  deliveryId: 'whd_stg_1',
  attempt: { at: now.toISOString(), status_code, duration_ms: 12, error },
  retryScheduleMs: SCHEDULE,
});
const attempted = (attempt: number, status_code: number | null, next: string | null, error: string | null = null): WebhookDeliveryEvent => ({
  type: 'WebhookDeliveryAttempted',
  data: { ...ref, attempt, at: now.toISOString(), status_code, duration_ms: 12, error, next_attempt_at: next },
});
const failed: WebhookDeliveryEvent = { type: 'WebhookDeliveryFailed', data: { ...ref, attempts: 3, failed_at: now.toISOString() } };
const retry = (endpoint: 'enabled' | 'disabled' | 'missing' = 'enabled', accountId = 'acc_stg_a'): WebhookDeliveryCommand => ({ type: 'RetryWebhookDelivery', deliveryId: 'whd_stg_1', accountId, endpoint });

describe('webhook delivery decider', () => {
  it('schedules a delivery due at once, and only once however often the event is replayed', () => {
    spec.given([]).when(schedule).then([scheduled]);
    spec.given([scheduled]).when(schedule).then([]);
  });

  it('succeeds on a 2xx', () => {
    spec
      .given([scheduled])
      .when(tried(204))
      .then([attempted(1, 204, null), { type: 'WebhookDeliverySucceeded', data: { ...ref, succeeded_at: now.toISOString() } }]);
  });

  it('retries anything else after the pause of the schedule that follows the try', () => {
    spec.given([scheduled]).when(tried(500)).then([attempted(1, 500, later(60_000))]);
    spec.given([scheduled, attempted(1, 500, later(60_000))]).when(tried(null, 'no answer within 10 s')).then([attempted(2, null, later(300_000), 'no answer within 10 s')]);
    spec.given([scheduled]).when(tried(302)).then([attempted(1, 302, later(60_000))]);
  });

  it('fails once every try of the schedule has failed', () => {
    spec
      .given([scheduled, attempted(1, 500, later(60_000)), attempted(2, 500, later(300_000))])
      .when(tried(503))
      .then([attempted(3, 503, null), failed]);
  });

  it('takes no try for a delivery that is not pending', () => {
    spec.given([scheduled, attempted(1, 200, null), { type: 'WebhookDeliverySucceeded', data: { ...ref, succeeded_at: now.toISOString() } }]).when(tried(200)).thenThrows('conflict');
  });

  it('tries a failed delivery once more on request, failing again if that try fails', () => {
    const history = [scheduled, attempted(1, 500, later(60_000)), attempted(2, 500, later(300_000)), attempted(3, 500, null), failed];
    const requested: WebhookDeliveryEvent = { type: 'WebhookDeliveryRetryRequested', data: { ...ref, requested_at: now.toISOString(), next_attempt_at: now.toISOString() } };
    spec.given(history).when(retry()).then([requested]);
    expect(isDue((fold(webhookDeliveryDecider, [...history, requested]) as { delivery: { status: 'pending'; nextAttemptAt: string } }).delivery, now)).toBe(true);
    spec
      .given([...history, requested])
      .when(tried(500))
      .then([attempted(4, 500, null), { ...failed, data: { ...failed.data, attempts: 4 } }]);
  });

  it('brings a pending delivery forward, keeping its schedule', () => {
    const requested: WebhookDeliveryEvent = { type: 'WebhookDeliveryRetryRequested', data: { ...ref, requested_at: now.toISOString(), next_attempt_at: now.toISOString() } };
    spec.given([scheduled, attempted(1, 500, later(60_000))]).when(retry()).then([requested]);
    spec.given([scheduled, attempted(1, 500, later(60_000)), requested]).when(tried(500)).then([attempted(2, 500, later(300_000))]);
  });

  it('refuses to retry an acknowledged delivery, or one whose endpoint is disabled', () => {
    spec.given([scheduled, attempted(1, 200, null), { type: 'WebhookDeliverySucceeded', data: { ...ref, succeeded_at: now.toISOString() } }]).when(retry()).thenThrows('conflict', /acknowledged/);
    spec.given([scheduled]).when(retry('disabled')).thenThrows('conflict', /disabled/);
  });

  it("hides another account's delivery, and one whose endpoint was deleted", () => {
    spec.given([scheduled]).when(retry('enabled', 'acc_stg_b')).thenThrows('not_found');
    spec.given([scheduled]).when(retry('missing')).thenThrows('not_found');
    spec.given([]).when(retry()).thenThrows('not_found');
  });
});
