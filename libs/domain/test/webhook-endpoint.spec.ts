import {
  WEBHOOK_SECRET_OVERLAP_MS,
  WebhookEndpointCommand,
  WebhookEndpointEvent,
  WebhookUrlCheck,
  fold,
  isPublicAddress,
  redactSecrets,
  signingSecrets,
  webhookEndpointDecider,
  webhookTriggerOf,
  webhookUrlErrors,
} from '@payments/domain';
import { deciderSpecification } from './decider-specification';

/** A sealed secret as the edge hands it to the decider: opaque here, told apart by its ciphertext. */
const sealed = (ciphertext: string) => ({ key_id: 'sk_test', iv: 'aXY', ciphertext, tag: 'dGFn' });
const FIRST = sealed('first');
const SECOND = sealed('second');

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(webhookEndpointDecider, { now });
const anywhere: WebhookUrlCheck = { policy: { httpsOnly: false, publicAddressesOnly: false }, addresses: [] };
const prod = (addresses: string[]): WebhookUrlCheck => ({ policy: { httpsOnly: true, publicAddressesOnly: true }, addresses });

const create = (over: Partial<Extract<WebhookEndpointCommand, { type: 'CreateWebhookEndpoint' }>> = {}): WebhookEndpointCommand => ({
  type: 'CreateWebhookEndpoint',
  endpointId: 'we_stg_1',
  accountId: 'acc_stg_a',
  settings: { url: 'https://shop.example/hooks', events: ['payment.succeeded'], description: null },
  secret: FIRST,
  urlCheck: anywhere,
  ...over,
});
const created: WebhookEndpointEvent = {
  type: 'WebhookEndpointCreated',
  data: {
    endpoint_id: 'we_stg_1',
    account_id: 'acc_stg_a',
    url: 'https://shop.example/hooks',
    events: ['payment.succeeded'],
    description: null,
    status: 'enabled',
    secret: FIRST,
    created_at: now.toISOString(),
  },
};
const update = (changes: object, urlCheck: WebhookUrlCheck = anywhere): WebhookEndpointCommand => ({ type: 'UpdateWebhookEndpoint', endpointId: 'we_stg_1', accountId: 'acc_stg_a', changes, urlCheck });
const deleted: WebhookEndpointEvent = { type: 'WebhookEndpointDeleted', data: { endpoint_id: 'we_stg_1', deleted_at: now.toISOString() } };

describe('webhook endpoint decider', () => {
  it('creates an enabled endpoint that keeps its signing secret', () => {
    spec.given([]).when(create()).then([created]);
  });

  it('takes "*" alone for every event type', () => {
    const [event] = webhookEndpointDecider.decide(create({ settings: { ...created.data, events: ['*'] } }), webhookEndpointDecider.initialState(), { now });
    expect(event.data).toMatchObject({ events: ['*'] });
    spec
      .given([])
      .when(create({ settings: { ...created.data, events: ['*', 'payment.failed'] } }))
      .thenThrows('invalid');
  });

  it('accepts the names of events that come with captures and refunds already', () => {
    const events = ['payment.requires_capture', 'payment.captured', 'payment.canceled', 'refund.succeeded', 'refund.failed'];
    expect(() => webhookEndpointDecider.decide(create({ settings: { ...created.data, events } }), { status: 'none' }, { now })).not.toThrow();
  });

  it('refuses unknown, repeated or no event names, naming each field without quoting it', () => {
    const error = spec
      .given([])
      .when(create({ settings: { ...created.data, events: ['payment.succeeded', 'payment.exploded', 'payment.succeeded'] } }))
      .thenThrows('invalid');
    expect(error.errors).toEqual([
      { field: 'events[1]', message: 'is not a webhook event type' },
      { field: 'events[2]', message: 'is listed twice' },
    ]);
    spec
      .given([])
      .when(create({ settings: { ...created.data, events: [] } }))
      .thenThrows('invalid');
  });

  it('refuses a URL that is not absolute http(s) or holds credentials', () => {
    for (const url of ['/hooks', 'ftp://shop.example/hooks', 'https://user:pass@shop.example/hooks', `https://shop.example/${'x'.repeat(2100)}`]) {
      const error = spec.given([]).when(create({ settings: { ...created.data, url } })).thenThrows('invalid');
      expect(error.errors.map(({ field }) => field)).toEqual(['url']);
    }
  });

  it('in prod, refuses http and hosts that resolve to loopback, private or link-local addresses', () => {
    const refusals: [string, string[]][] = [
      ['http://shop.example/hooks', ['93.184.216.34']],
      ['https://127.0.0.1/hooks', []],
      ['https://10.0.0.1/hooks', []],
      ['https://169.254.169.254/latest/meta-data', []],
      ['https://[::1]/hooks', []],
      ['https://[::ffff:127.0.0.1]/hooks', []],
      ['https://localhost/hooks', ['127.0.0.1', '::1']],
      ['https://rebinding.example/hooks', ['93.184.216.34', '192.168.1.10']],
      ['https://nowhere.example/hooks', []],
    ];
    for (const [url, addresses] of refusals) {
      expect([url, webhookUrlErrors(url, prod(addresses).policy, addresses).length]).toEqual([url, 1]);
    }
    expect(webhookUrlErrors('https://shop.example/hooks', prod(['93.184.216.34']).policy, ['93.184.216.34'])).toEqual([]);
    spec
      .given([])
      .when(create({ urlCheck: prod(['10.1.2.3']) }))
      .thenThrows('invalid');
  });

  it('tells public addresses from the others', () => {
    expect(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'].map(isPublicAddress)).toEqual([true, true]);
    expect(['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::', 'not-an-ip'].map(isPublicAddress)).toEqual(
      new Array(12).fill(false),
    );
  });

  it('records only the fields a patch changes, and nothing for a patch that changes nothing', () => {
    spec
      .given([created])
      .when(update({ status: 'disabled', events: ['payment.succeeded'] }))
      .then([{ type: 'WebhookEndpointUpdated', data: { endpoint_id: 'we_stg_1', changes: { status: 'disabled' }, updated_at: now.toISOString() } }]);
    spec.given([created]).when(update({ url: 'https://shop.example/hooks' })).then([]);
  });

  it('checks a new URL against the rule of the environment', () => {
    spec
      .given([created])
      .when(update({ url: 'https://internal.example/hooks' }, prod(['10.0.0.7'])))
      .thenThrows('invalid');
  });

  it('rotates the secret, the old one signing beside the new one until the overlap ends', () => {
    const rotated = webhookEndpointDecider.decide(
      { type: 'RotateWebhookEndpointSecret', endpointId: 'we_stg_1', accountId: 'acc_stg_a', secret: SECOND, overlapMs: WEBHOOK_SECRET_OVERLAP_MS },
      fold(webhookEndpointDecider, [created]),
      { now },
    );
    expect(rotated).toEqual([
      { type: 'WebhookEndpointSecretRotated', data: { endpoint_id: 'we_stg_1', secret: SECOND, previous_secret_expires_at: '2026-11-22T10:00:00.000Z', rotated_at: now.toISOString() } },
    ]);
    const state = fold(webhookEndpointDecider, [created, ...rotated]);
    if (state.status !== 'live') throw new Error('expected a live endpoint');
    expect(signingSecrets(state.endpoint, now)).toEqual([SECOND, FIRST]);
    expect(signingSecrets(state.endpoint, new Date('2026-11-22T09:59:59.999Z'))).toEqual([SECOND, FIRST]);
    expect(signingSecrets(state.endpoint, new Date('2026-11-22T10:00:00.000Z'))).toEqual([SECOND]);
  });

  it('deletes once: a deleted endpoint, like another account\'s, is not found', () => {
    spec.given([created]).when({ type: 'DeleteWebhookEndpoint', endpointId: 'we_stg_1', accountId: 'acc_stg_a' }).then([deleted]);
    spec.given([created, deleted]).when({ type: 'DeleteWebhookEndpoint', endpointId: 'we_stg_1', accountId: 'acc_stg_a' }).thenThrows('not_found');
    spec.given([created, deleted]).when(update({ status: 'enabled' })).thenThrows('not_found');
    spec.given([created]).when({ type: 'DeleteWebhookEndpoint', endpointId: 'we_stg_1', accountId: 'acc_stg_b' }).thenThrows('not_found');
  });

  it('keeps the signing secret out of the event data shown', () => {
    expect(redactSecrets(created.type, created.data)).toEqual({ ...created.data, secret: '[redacted]' });
    const rotated = { endpoint_id: 'we_stg_1', secret: SECOND, previous_secret_expires_at: '', rotated_at: '' };
    expect(JSON.stringify(redactSecrets('WebhookEndpointSecretRotated', rotated))).not.toContain('second');
  });
});

describe('webhook triggers', () => {
  it('map stored events to webhook types, and nothing else', () => {
    expect(webhookTriggerOf('PaymentSucceeded')).toEqual({ type: 'payment.succeeded', object: 'payment' });
    expect(webhookTriggerOf('PaymentFailed')).toEqual({ type: 'payment.failed', object: 'payment' });
    expect(webhookTriggerOf('CheckoutSessionCompleted')).toEqual({ type: 'checkout.session.completed', object: 'checkout_session' });
    expect(webhookTriggerOf('CheckoutSessionExpired')).toEqual({ type: 'checkout.session.expired', object: 'checkout_session' });
    expect(['ProcessorApproved', 'constructor', 'toString', 'WebhookDeliveryScheduled'].map(webhookTriggerOf)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('deliver what follows the approval: the authorization, its capture or cancellation, and each refund outcome as the refund', () => {
    expect(['PaymentAuthorized', 'PaymentCaptured', 'PaymentVoided', 'AuthorizationExpired', 'RefundSucceeded', 'RefundFailed'].map(webhookTriggerOf)).toEqual([
      { type: 'payment.requires_capture', object: 'payment' },
      { type: 'payment.captured', object: 'payment' },
      { type: 'payment.canceled', object: 'payment' },
      { type: 'payment.canceled', object: 'payment' },
      { type: 'refund.succeeded', object: 'refund' },
      { type: 'refund.failed', object: 'refund' },
    ]);
    // Requests and refused captures or voids change nothing a merchant acts on: the payment is as it was.
    expect(['PaymentCaptureRequested', 'PaymentCaptureFailed', 'PaymentVoidRequested', 'PaymentVoidFailed', 'RefundRequested'].map(webhookTriggerOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
