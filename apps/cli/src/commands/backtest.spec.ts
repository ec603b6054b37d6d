import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SIMULATOR,
  DomainEvent,
  PaymentCommand,
  PaymentState,
  ProcessorOutcome,
  accountDecider,
  decidePayment,
  evolvePayment,
  initialPaymentState,
  nextPaymentStep,
  processorDecider,
} from '@payments/domain';
import { MemoryEventStore, randomEventId } from '@payments/event-store';
import { SetupError } from '../output';
import { backtest } from './backtest';

const ACCOUNT = 'acc_stg_backtest';
const [A, B, C] = ['proc_stg_a', 'proc_stg_b', 'proc_stg_c'];
const LATER = '2026-02-01T00:00:00.000Z';

/**
 * A dozen past payments, each routed by priority [A, B] with the default failover, and what each
 * processor answered:
 * - p1..p5:   A approves (B never tried);
 * - p6..p9:   A declines 05, B approves;
 * - p10..p12: A declines 05, B declines 05 (the payment fails); p12 started a month later.
 * History: A 12 calls, 5 approved; B 7 calls, 4 approved; 9 of 12 payments approved.
 */
const HISTORY: { id: string; answers: [string, ProcessorOutcome][]; startedAt?: string }[] = [
  ...[1, 2, 3, 4, 5].map((n) => ({ id: `pay_stg_p${n}`, answers: [[A, 'approved']] as [string, ProcessorOutcome][] })),
  ...[6, 7, 8, 9].map((n) => ({ id: `pay_stg_p${n}`, answers: [[A, 'declined'], [B, 'approved']] as [string, ProcessorOutcome][] })),
  ...[10, 11].map((n) => ({ id: `pay_stg_p${n}`, answers: [[A, 'declined'], [B, 'declined']] as [string, ProcessorOutcome][] })),
  { id: 'pay_stg_p12', answers: [[A, 'declined'], [B, 'declined']], startedAt: LATER },
];

describe('backtest', () => {
  let events: MemoryEventStore;
  let dir: string;
  let lines: string[];

  beforeEach(async () => {
    events = new MemoryEventStore();
    dir = mkdtempSync(join(tmpdir(), 'backtest-'));
    lines = [];
    await openAccountWithProcessors();
    for (const payment of HISTORY) await recordPayment(payment.id, payment.answers, payment.startedAt ?? '2026-01-10T12:00:00.000Z');
  });

  afterEach(async () => {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function routeFile(body: object): string {
    const file = join(dir, 'route.json');
    writeFileSync(file, JSON.stringify(body));
    return file;
  }

  const run = (route: object, window: { from?: Date; to?: Date } = {}) => backtest(events, { route: routeFile(route), ...window, out: async (line) => void lines.push(line) });
  const rows = () => lines.map((line) => line.split(/ {2,}/));

  it('prints per processor and overall what the candidate would have approved beside what history did, with unknowns apart', async () => {
    // C takes euros only, so every one of these dollar payments skips it.
    await run({ name: 'B first', processors: [{ processor_id: C }, { processor_id: B }, { processor_id: A }] });

    expect(lines[0]).toBe(`Backtest of route "B first" on the 12 payments of account ${ACCOUNT}`);
    expect(rows().slice(4, 8)).toEqual([
      ['processor', 'history calls', 'approved', 'rate', 'candidate calls', 'approved', 'rate', 'unknown payments'],
      [C, '0', '0', '-', '0', '0', '-', '0'],
      [B, '7', '4', '57.1 %', '7', '4', '57.1 %', '5'],
      [A, '12', '5', '41.7 %', '3', '0', '0.0 %', '0'],
    ]);
    expect(rows().slice(9, 12)).toEqual([
      ['overall', 'payments', 'approved', 'failed', 'unknown', 'approval rate'],
      ['history', '12', '9', '3', '-', '75.0 %'],
      ['candidate', '12', '4', '3', '5', '57.1 % of the 7 known (33.3 % to 75.0 % of all 12)'],
    ]);
  });

  it('replays only the payments of the window', async () => {
    await run({ name: 'A only', processors: [{ processor_id: A }] }, { to: new Date(LATER) });

    expect(lines[0]).toBe(`Backtest of route "A only" on the 11 payments of account ${ACCOUNT} to ${LATER}`);
    expect(rows().slice(5, 7)).toEqual([
      [A, '11', '5', '45.5 %', '11', '5', '45.5 %', '0'],
      [B, '6', '4', '66.7 %', '0', '0', '-', '0'],
    ]);
    expect(rows()[9]).toEqual(['history', '11', '9', '2', '-', '81.8 %']);
    expect(rows()[10]).toEqual(['candidate', '11', '5', '6', '0', '45.5 % of the 11 known (45.5 % to 45.5 % of all 11)']);
  });

  it('lets an auth_rate candidate learn from its own replayed calls, payment after payment', async () => {
    // A approves p1..p5; p6 declines at A and approves at B, whose rate (1 of 1) then passes A's
    // (5 of 6): from p7 on B goes first, so A is not called for p7..p9 at all.
    await run({ name: 'Learning', processors: [{ processor_id: A }, { processor_id: B }], strategy: 'auth_rate', auth_rate: { min_samples: 1, exploration_percent: 0 } });

    expect(rows().slice(5, 7)).toEqual([
      [A, '12', '5', '41.7 %', '9', '5', '55.6 %', '0'],
      [B, '7', '4', '57.1 %', '7', '4', '57.1 %', '0'],
    ]);
    expect(rows()[10]).toEqual(['candidate', '12', '9', '3', '0', '75.0 % of the 12 known (75.0 % to 75.0 % of all 12)']);
  });

  it('refuses a route the API would refuse, naming each field', async () => {
    const attempt = run({ name: 'Bad', processors: [{ processor_id: A, split: 50 }, { processor_id: 'proc_stg_unknown' }] });

    await expect(attempt).rejects.toThrow(SetupError);
    await expect(attempt).rejects.toThrow(/processors\[1\]\.processor_id: unknown processor proc_stg_unknown/);
    await expect(attempt).rejects.toThrow(/processors\[0\]\.split: split applies only to the volume_split strategy/);
  });

  it('refuses a route of the wrong shape before any rule', async () => {
    await expect(run({ name: 'Bad', processors: 'A' })).rejects.toThrow(/processors: processors must be an array/);
  });

  async function append(stream: string, recorded: DomainEvent<string, unknown>[]): Promise<void> {
    if (recorded.length === 0) return;
    await events.appendToStream(
      stream,
      recorded.map(({ type, data }) => ({ id: randomEventId(), type, data, metadata: { schema_version: 1, account_id: ACCOUNT } })),
      { expectedRevision: 'any' },
    );
  }

  async function openAccountWithProcessors(): Promise<void> {
    const now = new Date('2026-01-01T00:00:00.000Z');
    let account = accountDecider.initialState();
    const decideAccount = async (command: Parameters<typeof accountDecider.decide>[0]) => {
      const decided = accountDecider.decide(command, account, { now });
      account = decided.reduce(accountDecider.evolve, account);
      await append(`account-${ACCOUNT}`, decided);
    };
    await decideAccount({ type: 'OpenAccount', accountId: ACCOUNT, name: 'Backtest shop', sandbox: false });
    for (const [id, currencies] of [[A, []], [B, []], [C, ['EUR']]] as const) {
      const settings = { name: id, supported_currencies: [...currencies], supported_networks: [], fees: { percent: 0, fixed: 0 }, status: 'active' as const, timeout_ms: 5000, simulator: DEFAULT_SIMULATOR, http: null };
      await append(`processor-${id}`, processorDecider.decide({ type: 'ConnectProcessor', processorId: id, accountId: ACCOUNT, connector: 'simulator', settings }, processorDecider.initialState(), { now }));
      await decideAccount({ type: 'RegisterProcessor', accountId: ACCOUNT, processorId: id });
    }
  }

  /** A payment as the saga would have recorded it with route [A, B], the processors answering as given. */
  async function recordPayment(paymentId: string, answers: [string, ProcessorOutcome][], startedAt: string): Promise<void> {
    const now = new Date(startedAt);
    const processors = [A, B, C].map((id) => ({ id, status: 'active' as const, supported_currencies: id === C ? ['EUR'] : [], supported_networks: [], fees: { percent: 0, fixed: 0 } }));
    const route = { route_id: 'proute_stg_history', revision: 1, strategy: 'priority' as const, processors: [{ processor_id: A }, { processor_id: B }], rules: [], failover: {}, optimized_retry: false };
    let state: PaymentState = initialPaymentState();
    const decideAndAppend = async (command: PaymentCommand) => {
      const decided = decidePayment(command, state, { now });
      state = decided.reduce(evolvePayment, state);
      await append(`payment-${paymentId}`, decided);
    };
    await decideAndAppend({
      type: 'StartPayment',
      paymentId,
      checkoutSessionId: `cs_stg_${paymentId.slice(8)}`,
      accountId: ACCOUNT,
      tiers: [{ index: 0, amount: 5000, currency: 'USD', route_id: route.route_id }],
      card: { network: 'visa', bin: '424242', last4: '4242', fingerprint: 'f'.repeat(64) },
      binCountry: 'US',
      accountProcessorIds: [A, B, C],
    });
    await decideAndAppend({ type: 'StartNextTier', paymentId, tier: 0, routing: { route, processors, default_processor_id: A } });
    for (const [processorId, outcome] of answers) {
      const step = nextPaymentStep(state);
      if (step.kind !== 'call' || step.processor_id !== processorId) throw new Error(`fixture ${paymentId}: expected a call to ${processorId}, the cascade is at ${JSON.stringify(step)}`);
      await decideAndAppend({ type: 'RecordProcessorOutcome', paymentId, idempotencyKey: step.idempotency_key, outcome, code: outcome === 'declined' ? '05' : undefined, durationMs: 10 });
    }
    expect(nextPaymentStep(state).kind).toBe('finished');
  }
});
