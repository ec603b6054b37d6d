import { EventList, StoredEvent } from './event.schema';

// The README's cascade as the event stream shows it: the decliner declines with 51, the approver approves.

const METADATA = { schema_version: 1, account_id: 'acc_stg_sandbox', correlation_id: 'req_9Xk2Lm5Qd8Wz' };
const PAYMENT = 'pay_stg_2Jx7Qm4Lk9Wd';

const declined: StoredEvent = {
  id: 'evt_stg_5c1d9e2f3a4b4c6d8e0f1a2b3c4d5e6f',
  type: 'ProcessorDeclined',
  stream: `payment-${PAYMENT}`,
  revision: 3,
  position: 120,
  created_at: '2026-11-21T10:00:00.004Z',
  data: { payment_id: PAYMENT, tier: 0, processor_id: 'proc_stg_Decliner7Kq2', attempt: 1, optimized: false, code: '51', hard: false, duration_ms: 3 },
  metadata: { ...METADATA, causation_id: 'evt_stg_0f8e2a4b6c8d4e0f9a1b2c3d4e5f6a7b' },
};

const succeeded: StoredEvent = {
  id: 'evt_stg_9a8b7c6d5e4f4a3b8c2d1e0f9a8b7c6d',
  type: 'PaymentSucceeded',
  stream: `payment-${PAYMENT}`,
  revision: 6,
  position: 123,
  created_at: '2026-11-21T10:00:00.012Z',
  data: {
    payment_id: PAYMENT,
    checkout_session_id: 'cs_stg_6Tg2Kp9Xm4Wd',
    tier: 0,
    processor_id: 'proc_stg_Approver3Xm8',
    amount: 4900,
    currency: 'USD',
    auth_code: 'A1B2C3',
    route_id: 'proute_stg_8Wc3Nf6Lp2Qz',
    route_revision: 1,
    completed_at: '2026-11-21T10:00:00.011Z',
  },
  metadata: { ...METADATA, causation_id: 'evt_stg_7d6c5b4a3f2e4d1c9b8a7f6e5d4c3b2a' },
};

/** GET /v1/events?after=118&type=ProcessorDeclined,PaymentSucceeded */
export const EVENT_LIST_EXAMPLE: EventList = { items: [declined, succeeded], next_after: 124, has_more: false };

export const EVENT_STREAM_EXAMPLE = [
  ': connected',
  '',
  `id: ${declined.position}`,
  `event: ${declined.type}`,
  `data: ${JSON.stringify(declined)}`,
  '',
  ': heartbeat',
  '',
  `id: ${succeeded.position}`,
  `event: ${succeeded.type}`,
  `data: ${JSON.stringify(succeeded)}`,
  '',
  '',
].join('\n');
