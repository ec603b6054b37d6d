import { HOUR_MS, PaymentEvent, SkipReason, hourOf } from '@payments/domain';
import { MemoryReadModelStore, ProjectionRunner } from '@payments/read-models';
import { analytics } from '@payments/read-models/projections/analytics';
import { processorAnalytics, routeAnalytics } from '@payments/read-models/projections/analytics-reports';
import { useProjectionFixture } from './projection-fixture';

const ACCOUNT = 'acc_stg_a';
const NOON = '2026-11-21T12:00:00.000Z';
const window = (from = NOON, hours = 1) => ({ fromHour: hourOf(from), toHour: hourOf(from) + hours });

/** The events of one payment's cascade, written as the decider writes them. */
class PaymentScript {
  readonly events: PaymentEvent[] = [];
  private tier = -1;
  private calls = 0;

  constructor(
    readonly id: string,
    tiers: { currency: string; route: string | null }[] = [{ currency: 'USD', route: 'proute_stg_r' }],
    startedAt = NOON,
    accountId = ACCOUNT,
  ) {
    this.events.push({
      type: 'PaymentStarted',
      data: {
        payment_id: id,
        checkout_session_id: `cs_${id}`,
        account_id: accountId,
        tiers: tiers.map(({ currency, route }, index) => ({ index, amount: 1000, currency, route_id: route })),
        card: { last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp' },
        bin_country: null,
        routing: null,
        started_at: startedAt,
      },
    });
    this.routes = tiers.map(({ route }) => route);
  }

  private readonly routes: (string | null)[];

  startTier(): this {
    this.tier++;
    this.calls = 0;
    const failover = { on: ['decline' as const, 'timeout' as const, 'error' as const], decline_codes: null, max_attempts: null };
    const route_id = this.routes[this.tier];
    this.events.push({
      type: 'TierStarted',
      data: { payment_id: this.id, tier: this.tier, route_id, route_revision: 1, strategy: 'priority', candidate_order: [], plan: [], failover, optimized_retry: true },
    });
    return this;
  }

  skip(processor: string, reason: SkipReason, network = 'visa'): this {
    this.events.push({ type: 'ProcessorSkipped', data: { payment_id: this.id, tier: this.tier, processor_id: processor, network: network as 'visa', reason } });
    return this;
  }

  /** A call and its answer; `currency` is the tier's. */
  call(processor: string, answer: 'approved' | 'declined' | 'timeout' | 'error', options: { ms?: number; code?: string | null; optimized?: boolean; currency?: string; network?: string } = {}): this {
    const attempt = ++this.calls;
    const ref = { payment_id: this.id, tier: this.tier, processor_id: processor, attempt, optimized: options.optimized ?? false };
    this.events.push({
      type: 'ProcessorAttempted',
      data: { ...ref, network: (options.network ?? 'visa') as 'visa', idempotency_key: `${this.id}:${this.tier}:${attempt}`, amount: 1000, currency: options.currency ?? 'USD' },
    });
    const duration_ms = options.ms ?? 100;
    if (answer === 'approved') this.events.push({ type: 'ProcessorApproved', data: { ...ref, code: null, auth_code: 'A1B2C3', duration_ms } });
    if (answer === 'declined') this.events.push({ type: 'ProcessorDeclined', data: { ...ref, code: options.code === undefined ? '05' : options.code, hard: false, duration_ms } });
    if (answer === 'timeout') this.events.push({ type: 'ProcessorTimedOut', data: { ...ref, duration_ms } });
    if (answer === 'error') this.events.push({ type: 'ProcessorErrored', data: { ...ref, code: null, message: null, duration_ms } });
    return this;
  }

  /** The last call again, as a process that resumes the payment after a crash would send it: the same idempotency key. */
  resendLastCall(): this {
    const attempted = [...this.events].reverse().find((event) => event.type === 'ProcessorAttempted')!;
    this.events.push(attempted);
    return this;
  }

  /** A call whose answer is not recorded yet. */
  callPending(processor: string): this {
    const attempt = ++this.calls;
    this.events.push({
      type: 'ProcessorAttempted',
      data: { payment_id: this.id, tier: this.tier, processor_id: processor, attempt, optimized: false, network: 'visa', idempotency_key: `${this.id}:${this.tier}:${attempt}`, amount: 1000, currency: 'USD' },
    });
    return this;
  }

  failTier(): this {
    this.events.push({ type: 'TierFailed', data: { payment_id: this.id, tier: this.tier, reason: 'exhausted' } });
    return this;
  }

  succeed(processor: string): this {
    this.events.push({
      type: 'PaymentSucceeded',
      data: { payment_id: this.id, checkout_session_id: `cs_${this.id}`, tier: this.tier, processor_id: processor, amount: 1000, currency: 'USD', auth_code: 'A1B2C3', route_id: null, route_revision: null, completed_at: NOON },
    });
    return this;
  }

  fail(): this {
    this.events.push({ type: 'PaymentFailed', data: { payment_id: this.id, checkout_session_id: `cs_${this.id}`, failure_reason: 'all_tiers_failed', tier: this.tier, completed_at: NOON } });
    return this;
  }
}

describe('analytics read model', () => {
  const fixture = useProjectionFixture();

  async function record(...scripts: PaymentScript[]): Promise<void> {
    for (const script of scripts) for (const event of script.events) await fixture.append(`payment-${script.id}`, event);
  }

  async function processors(filter = {}, over = window()) {
    await fixture.project(analytics);
    return processorAnalytics(fixture.readModels, ACCOUNT, over, filter);
  }

  async function routes(over = window()) {
    await fixture.project(analytics);
    return routeAnalytics(fixture.readModels, ACCOUNT, over);
  }

  it('counts a payment once per processor, by the answer to its last call there', async () => {
    // A soft decline then an approved optimized retry on A: one attempt, approved.
    await record(new PaymentScript('pay_1').startTier().call('proc_a', 'declined').call('proc_a', 'approved', { optimized: true }).succeed('proc_a'));

    expect(await processors()).toEqual([
      { processor_id: 'proc_a', attempts: 1, approved: 1, declined: 0, timeouts: 0, errors: 0, skipped: 0, approval_rate: 1, p50_ms: expect.any(Number), p95_ms: expect.any(Number), decline_codes: {} },
    ]);
  });

  it('does not count a call re-sent after a crash as a second attempt', async () => {
    const resumed = new PaymentScript('pay_1').startTier().callPending('proc_a').resendLastCall();
    resumed.events.push({ type: 'ProcessorDeclined', data: { payment_id: 'pay_1', tier: 0, processor_id: 'proc_a', attempt: 1, optimized: false, code: '05', hard: false, duration_ms: 80 } });
    await record(resumed.call('proc_b', 'approved').succeed('proc_b'));

    expect((await processors()).map(({ processor_id, attempts, declined, approved }) => [processor_id, attempts, declined, approved])).toEqual([
      ['proc_a', 1, 1, 0],
      ['proc_b', 1, 0, 1],
    ]);
    expect((await routes())[0]).toMatchObject({ payments: 1, mean_attempts: 2 });
  });

  it('does not count a payment twice when a later tier calls the same processor again', async () => {
    await record(
      new PaymentScript('pay_1', [
        { currency: 'USD', route: 'proute_stg_r' },
        { currency: 'USD', route: 'proute_stg_r' },
      ])
        .startTier()
        .call('proc_a', 'declined', { code: '51' })
        .failTier()
        .startTier()
        .call('proc_a', 'declined', { code: '05' })
        .fail(),
    );

    expect(await processors()).toEqual([expect.objectContaining({ processor_id: 'proc_a', attempts: 1, declined: 1, approval_rate: 0, decline_codes: { '05': 1 } })]);
  });

  it('adds each outcome up to the attempts and the decline codes up to the declines', async () => {
    await record(
      new PaymentScript('pay_1').startTier().call('proc_a', 'declined', { code: '51' }).call('proc_b', 'approved').succeed('proc_b'),
      new PaymentScript('pay_2').startTier().call('proc_a', 'timeout', { ms: 3000 }).call('proc_b', 'error').fail(),
      new PaymentScript('pay_3').startTier().call('proc_a', 'declined', { code: null }).call('proc_b', 'declined', { code: '05' }).fail(),
      new PaymentScript('pay_4').startTier().call('proc_a', 'approved').succeed('proc_a'),
    );

    expect(await processors()).toEqual([
      expect.objectContaining({ processor_id: 'proc_a', attempts: 4, approved: 1, declined: 2, timeouts: 1, errors: 0, approval_rate: 0.25, decline_codes: { '51': 1, none: 1 } }),
      expect.objectContaining({ processor_id: 'proc_b', attempts: 3, approved: 1, declined: 1, timeouts: 0, errors: 1, approval_rate: 0.3333, decline_codes: { '05': 1 } }),
    ]);
  });

  it('counts skips once per payment apart from attempts, and not the processors routing.attempts left out', async () => {
    await record(
      new PaymentScript('pay_1', [
        { currency: 'USD', route: 'proute_stg_r' },
        { currency: 'USD', route: 'proute_stg_r' },
      ])
        .startTier()
        .skip('proc_a', 'unavailable')
        .skip('proc_c', 'not_in_attempts')
        .call('proc_b', 'declined')
        .failTier()
        .startTier()
        .skip('proc_a', 'unavailable')
        .call('proc_b', 'declined')
        .fail(),
    );

    const numbers = await processors();

    expect(numbers.map(({ processor_id, attempts, skipped }) => [processor_id, attempts, skipped])).toEqual([
      ['proc_a', 0, 1],
      ['proc_b', 1, 0],
    ]);
    expect(numbers[0]).toMatchObject({ approval_rate: null, p50_ms: null, p95_ms: null });
  });

  it('does not count a call that has no answer yet', async () => {
    await record(new PaymentScript('pay_1').startTier().call('proc_a', 'declined').callPending('proc_b'));

    expect((await processors()).map(({ processor_id, attempts }) => [processor_id, attempts])).toEqual([['proc_a', 1]]);
  });

  it('filters by currency and by card network, of the payment’s first call to the processor', async () => {
    await record(
      new PaymentScript('pay_usd').startTier().call('proc_a', 'approved', { currency: 'USD', network: 'visa' }).succeed('proc_a'),
      new PaymentScript('pay_eur', [{ currency: 'EUR', route: 'proute_stg_r' }]).startTier().call('proc_a', 'declined', { currency: 'EUR', network: 'visa' }).fail(),
      new PaymentScript('pay_mc').startTier().call('proc_a', 'declined', { currency: 'USD', network: 'mastercard' }).fail(),
    );

    const attemptsOf = async (filter: object) => (await processors(filter)).map(({ attempts, approved }) => [attempts, approved]);
    expect(await attemptsOf({})).toEqual([[3, 1]]);
    expect(await attemptsOf({ currency: 'USD' })).toEqual([[2, 1]]);
    expect(await attemptsOf({ currency: 'EUR' })).toEqual([[1, 0]]);
    expect(await attemptsOf({ network: 'mastercard' })).toEqual([[1, 0]]);
    expect(await attemptsOf({ currency: 'USD', network: 'visa' })).toEqual([[1, 1]]);
    expect(await attemptsOf({ currency: 'GBP' })).toEqual([]);
  });

  it('puts a payment in the hour it started, whatever hour its calls are recorded in', async () => {
    const at = (hours: number) => new Date(Date.parse(NOON) + hours * HOUR_MS + 59 * 60_000).toISOString();
    await record(
      new PaymentScript('pay_12h', undefined, at(0)).startTier().call('proc_a', 'approved').succeed('proc_a'),
      new PaymentScript('pay_13h', undefined, at(1)).startTier().call('proc_a', 'declined').fail(),
      new PaymentScript('pay_15h', undefined, at(3)).startTier().call('proc_a', 'declined').fail(),
    );

    const attemptsIn = async (from: string, hours: number) => (await processors({}, window(from, hours))).map(({ attempts }) => attempts);
    expect(await attemptsIn(NOON, 1)).toEqual([1]);
    expect(await attemptsIn(NOON, 2)).toEqual([2]);
    expect(await attemptsIn(NOON, 4)).toEqual([3]);
    expect(await attemptsIn('2026-11-21T14:00:00Z', 1)).toEqual([]);
    expect((await routes(window(NOON, 2)))[0]).toMatchObject({ payments: 2, succeeded: 1 });
  });

  it('keeps each account’s numbers to itself', async () => {
    await record(new PaymentScript('pay_other', undefined, NOON, 'acc_stg_other').startTier().call('proc_x', 'approved').succeed('proc_x'));

    expect(await processors()).toEqual([]);
    expect(await routes()).toEqual([]);
  });

  it('counts per route and tier the payments, successes, first-processor successes and processors called', async () => {
    const twoTiers = [
      { currency: 'USD', route: 'proute_stg_r' },
      { currency: 'USD', route: null },
    ];
    await record(
      // Tier 0: approved by its first processor after an optimized retry (one processor called).
      new PaymentScript('pay_1', twoTiers).startTier().call('proc_a', 'declined').call('proc_a', 'approved', { optimized: true }).succeed('proc_a'),
      // Tier 0: approved by the second processor (two called).
      new PaymentScript('pay_2', twoTiers).startTier().call('proc_a', 'declined').call('proc_b', 'approved').succeed('proc_b'),
      // Tier 0 fails after a skip and two calls; tier 1 (no route) approves on its first.
      new PaymentScript('pay_3', twoTiers).startTier().skip('proc_c', 'unavailable').call('proc_a', 'timeout').call('proc_b', 'declined').failTier().startTier().call('proc_b', 'approved').succeed('proc_b'),
    );

    expect(await routes()).toEqual([
      // 3 payments, 2 succeeded, 1 on the first processor; 1 + 2 + 2 processors called / 3.
      { route_id: 'proute_stg_r', tier: 0, payments: 3, succeeded: 2, first_processor_success_share: 0.3333, mean_attempts: 1.6667 },
      { route_id: null, tier: 1, payments: 1, succeeded: 1, first_processor_success_share: 1, mean_attempts: 1 },
    ]);
  });

  it('merges the latency of every call of the window into its percentiles', async () => {
    const scripts = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000].map((ms, i) =>
      new PaymentScript(`pay_${i}`, undefined, i % 2 === 0 ? NOON : '2026-11-21T13:30:00Z').startTier().call('proc_a', 'approved', { ms }).succeed('proc_a'),
    );
    await record(...scripts);

    // Sorted durations, ranks 0..9: p50 is rank 4.5 -> 50 ms, p95 rank 8.55 -> 90 ms (the rank rounded down).
    const [numbers] = await processors({}, window(NOON, 2));
    expect(Math.abs(numbers.p50_ms! - 50) / 50).toBeLessThanOrEqual(0.01);
    expect(Math.abs(numbers.p95_ms! - 90) / 90).toBeLessThanOrEqual(0.01);
  });

  it('gives the same numbers whatever the batches the events were projected in', async () => {
    await record(
      new PaymentScript('pay_1').startTier().call('proc_a', 'declined').call('proc_a', 'approved', { optimized: true }).succeed('proc_a'),
      new PaymentScript('pay_2').startTier().skip('proc_c', 'unsupported_currency').call('proc_a', 'timeout').call('proc_b', 'approved').succeed('proc_b'),
    );
    const expected = { processors: await processors(), routes: await routes() };

    const oneByOne = new MemoryReadModelStore();
    await new ProjectionRunner(analytics, fixture.events, oneByOne, { batchSize: 1 }).catchUp();

    expect({ processors: await processorAnalytics(oneByOne, ACCOUNT, window()), routes: await routeAnalytics(oneByOne, ACCOUNT, window()) }).toEqual(expected);
  });

  it('answers the worked example of docs/analytics.md', async () => {
    const at = '2026-11-21T10:20:00.000Z';
    await record(
      new PaymentScript('pay_1', undefined, at).startTier().skip('C', 'unavailable').call('A', 'declined', { code: '05', ms: 120 }).call('A', 'approved', { ms: 130, optimized: true }).succeed('A'),
      new PaymentScript('pay_2', undefined, at).startTier().skip('C', 'unavailable').call('A', 'timeout', { ms: 3000 }).call('B', 'approved', { ms: 90 }).succeed('B'),
      new PaymentScript('pay_3', undefined, at)
        .startTier()
        .skip('C', 'unavailable', 'mastercard')
        .call('A', 'declined', { code: '51', ms: 110, network: 'mastercard' })
        .call('A', 'declined', { code: '51', ms: 115, network: 'mastercard', optimized: true })
        .call('B', 'approved', { ms: 100, network: 'mastercard' })
        .succeed('B'),
    );
    const hour = window('2026-11-21T10:00:00Z');

    expect(await processors({}, hour)).toEqual([
      { processor_id: 'A', attempts: 3, approved: 1, declined: 1, timeouts: 1, errors: 0, skipped: 0, approval_rate: 0.3333, p50_ms: 120.31456328864704, p95_ms: 130.33555804543153, decline_codes: { '51': 1 } },
      { processor_id: 'B', attempts: 2, approved: 2, declined: 0, timeouts: 0, errors: 0, skipped: 0, approval_rate: 1, p50_ms: 89.13032933636099, p95_ms: 89.13032933636099, decline_codes: {} },
      { processor_id: 'C', attempts: 0, approved: 0, declined: 0, timeouts: 0, errors: 0, skipped: 3, approval_rate: null, p50_ms: null, p95_ms: null, decline_codes: {} },
    ]);
    expect((await processors({ network: 'mastercard' }, hour)).map(({ processor_id, attempts, approved, declined, skipped }) => [processor_id, attempts, approved, declined, skipped])).toEqual([
      ['A', 1, 0, 1, 0],
      ['B', 1, 1, 0, 0],
      ['C', 0, 0, 0, 1],
    ]);
    expect(await routes(hour)).toEqual([{ route_id: 'proute_stg_r', tier: 0, payments: 3, succeeded: 3, first_processor_success_share: 0.3333, mean_attempts: 1.6667 }]);
  });

  it('forgets a payment’s tally once it has finished', async () => {
    await record(new PaymentScript('pay_1').startTier().call('proc_a', 'approved').succeed('proc_a'), new PaymentScript('pay_2').startTier().call('proc_a', 'declined'));
    await fixture.project(analytics);

    expect(await fixture.readModels.get('analytics_payments', 'pay_1')).toBeUndefined();
    expect(await fixture.readModels.get('analytics_payments', 'pay_2')).toBeDefined();
  });
});
