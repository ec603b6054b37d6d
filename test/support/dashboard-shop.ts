import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentShop } from './payment-shop';
import { TestApp, bearer } from './test-app';

/** Polls `probe` until it answers something (the resolver and the projections work in the background). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

export interface DashboardPayments {
  shop: PaymentShop;
  /**
   * One tier that cascades through every kind of step: a processor skipped (it takes no USD), one
   * that does not answer in time and, asked later, turns out to have charged (so the late
   * approval is voided), one that declines and one that approves.
   */
  cascaded: string;
  /** Two tiers, manual capture: tier 0 declined, tier 1 authorized, then captured and partly refunded. */
  refunded: string;
}

/**
 * A merchant with the payments the dashboard's tests look at, each finished, resolved and
 * refunded before it answers; with `webhookUrl`, an endpoint there hears of every payment and refund.
 */
export async function openDashboardShop(t: TestApp, { webhookUrl }: { webhookUrl?: string } = {}): Promise<DashboardPayments> {
  const shop = await PaymentShop.open(t);
  if (webhookUrl !== undefined) await shop.create('/v1/webhook-endpoints', { url: webhookUrl, events: ['payment.succeeded', 'payment.requires_capture', 'payment.captured', 'refund.succeeded'] });
  const euroOnly = await shop.processor('Euro Acquirer', { supported_currencies: ['EUR'] });
  const slow = await shop.processor('Slow Bank', { timeout_ms: 50, simulator: { outcome: 'timeout', charge_on_timeout: true } });
  const decliner = await shop.processor('Decline Pay', { simulator: { outcome: 'decline', decline_code: '05' } });
  const approver = await shop.processor('Acme Payments', { simulator: { outcome: 'approve' } });
  const main = await shop.route([euroOnly, slow, decliner, approver], { name: 'Main' });
  const declining = await shop.route([decliner], { name: 'Decline first' });
  const backup = await shop.route([approver], { name: 'Backup' });

  const cascadedSession = await shop.session([{ amount: 4200 }], main);
  const cascaded = (await shop.pay(cascadedSession).expect(201)).body;
  if (cascaded.status !== 'succeeded') throw new Error(`the cascading payment ended ${cascaded.status}`);
  await until('the slow processor’s late approval is voided', async () => ((await shop.eventTypes(cascaded.id)).includes('LateApprovalVoided') ? true : undefined));

  const refundedSession = await shop.session([{ amount: 9900, route: declining }, { amount: 7900, route: backup }], null, { capture_method: 'manual' });
  const authorized = (await shop.pay(refundedSession).expect(201)).body;
  if (authorized.status !== 'requires_capture') throw new Error(`the two-tier payment ended ${authorized.status}`);
  const post = (path: string, body: object) => t.http().post(path).set(bearer(shop.account.secret)).send(body);
  await post(`/v1/payments/${authorized.id}/capture`, {}).expect(200);
  const refund = (await post(`/v1/payments/${authorized.id}/refunds`, { amount: 2000, reason: 'requested_by_customer' }).expect(201)).body;
  if (refund.status !== 'succeeded') {
    await until('the refund succeeds', async () => ((await shop.eventTypes(authorized.id)).includes('RefundSucceeded') ? true : undefined));
  }
  return { shop, cascaded: cascaded.id, refunded: authorized.id };
}
