/**
 * Child process of sqlite-simulator-ledger.int-spec.ts: once told "go" on stdin, refunds the
 * authorization in parts, each under its own key, against the shared ledger file, so that
 * several processes race on one charge. Prints each answer's outcome, one a line.
 * Usage: refund-from-another-process.ts <ledger file> <authorization key> <refunds> <amount> <key prefix>
 */
import { SimulatorConnector, SqliteSimulatorLedger } from '@payments/processors';

const [ledgerFile, authorizationKey, refunds, amount, keyPrefix] = process.argv.slice(2);
if (!ledgerFile || !authorizationKey || !refunds || !amount || !keyPrefix) {
  throw new Error('usage: refund-from-another-process.ts <ledger file> <authorization key> <refunds> <amount> <key prefix>');
}

const ledger = SqliteSimulatorLedger.open(ledgerFile);
const simulator = new SimulatorConnector(ledger);
const profile = { id: 'proc_stg_sim', accountId: 'acc_stg_test', connector: 'simulator' as const, timeoutMs: 5000, simulator: { outcome: 'approve' as const } };

process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  for (let index = 0; index < Number(refunds); index += 1) {
    const answer = await simulator.refund(profile, { authorizationKey, amount: Number(amount), currency: 'USD' }, { idempotencyKey: `${keyPrefix}_${index}`, timeoutMs: 5000 });
    process.stdout.write(`${answer.outcome}\n`);
  }
  await ledger.close();
  process.exit(0);
});
