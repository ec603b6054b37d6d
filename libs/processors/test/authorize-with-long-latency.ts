/**
 * Child process of sqlite-simulator-ledger.int-spec.ts: starts one simulated authorization that
 * waits out a long latency, so the test can kill this process in the middle of the call.
 * Usage: authorize-with-long-latency.ts <ledger file> <idempotency key>
 */
import { SimulatorConnector, SqliteSimulatorLedger } from '@payments/processors';

const [ledgerFile, idempotencyKey] = process.argv.slice(2);
if (!ledgerFile || !idempotencyKey) throw new Error('usage: authorize-with-long-latency.ts <ledger file> <idempotency key>');

void new SimulatorConnector(SqliteSimulatorLedger.open(ledgerFile)).authorize(
  { id: 'proc_stg_sim', accountId: 'acc_stg_test', connector: 'simulator', timeoutMs: 600_000, simulator: { outcome: 'approve', latency_ms: 300_000 } },
  { paymentId: 'pay_stg_1', amount: 1999, currency: 'USD', card: { network: 'visa', bin: '424242', last4: '4242' } },
  { idempotencyKey, timeoutMs: 600_000, optimized: false },
);
