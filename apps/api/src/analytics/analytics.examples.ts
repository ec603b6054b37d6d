import { ProcessorAnalytics, RouteTierAnalytics } from './analytics.schema';

// The worked example of docs/analytics.md (three payments through one route), as the endpoints answer it.

const FROM = '2026-11-21T10:00:00.000Z';
const TO = '2026-11-21T11:00:00.000Z';

export const PROCESSOR_ANALYTICS_EXAMPLE: { from: string; to: string; items: ProcessorAnalytics[] } = {
  from: FROM,
  to: TO,
  items: [
    { processor_id: 'proc_stg_4f8Kd2mQ9xTa', attempts: 3, approved: 1, declined: 1, timeouts: 1, errors: 0, skipped: 0, approval_rate: 0.3333, p50_ms: 120.31456328864704, p95_ms: 130.33555804543153, decline_codes: { '51': 1 } },
    { processor_id: 'proc_stg_9Lp3Xw7Rk2Vb', attempts: 2, approved: 2, declined: 0, timeouts: 0, errors: 0, skipped: 0, approval_rate: 1, p50_ms: 89.13032933636099, p95_ms: 89.13032933636099, decline_codes: {} },
    { processor_id: 'proc_stg_Zc6Tn1Hq8Ym5', attempts: 0, approved: 0, declined: 0, timeouts: 0, errors: 0, skipped: 3, approval_rate: null, p50_ms: null, p95_ms: null, decline_codes: {} },
  ],
};

export const ROUTE_ANALYTICS_EXAMPLE: { from: string; to: string; items: RouteTierAnalytics[] } = {
  from: FROM,
  to: TO,
  items: [{ route_id: 'proute_stg_8Wc3Nf6Lp2Qz', tier: 0, payments: 3, succeeded: 3, first_processor_success_share: 0.3333, mean_attempts: 1.6667 }],
};
