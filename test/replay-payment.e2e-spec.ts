import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run } from '../apps/cli/src/main';
import { DECLINED_05, PaymentShop, card } from './support/payment-shop';
import { TestApp, startTestApp } from './support/test-app';

const ROOT = join(__dirname, '..');

/** The CLI in this process, as `npm run cli -- …` runs it, on a DATA_DIR. */
async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: async (line) => void out.push(line),
    err: { isTTY: false, write: (text: string) => err.push(text) > 0 },
    env: { DATA_DIR: dataDir },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('') };
}

/** The CLI as its own process, the way an operator runs it. */
async function cliProcess(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/ts-node'), ['-r', 'tsconfig-paths/register', '--swc', 'apps/cli/src/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('replay payment: every routing decision derived again from what the payment recorded', () => {
  let t: TestApp;
  let shop: PaymentShop;
  /** Each cascade below, by what it shows. */
  const payments = new Map<string, string>();
  let revisedRoute: { payment: string; route: string };

  async function pay(name: string, sessionId: string, body?: object): Promise<void> {
    const payment = (await shop.pay(sessionId, body).expect(201)).body;
    payments.set(name, payment.id);
  }

  beforeAll(async () => {
    t = await startTestApp();
    shop = await PaymentShop.open(t);
    const declining = await shop.processor('Declining', { simulator: { outcome: 'decline', decline_code: '05' } });
    const down = await shop.processor('Down', { status: 'unavailable' });
    const approving = await shop.processor('Approving', { fees: { percent: 2.9, fixed: 30 } });
    const cheap = await shop.processor('Cheap', { fees: { percent: 1, fixed: 10 } });
    const euros = await shop.processor('Euros only', { supported_currencies: ['EUR'] });
    const amex = await shop.processor('Amex only', { supported_networks: ['amex'] });
    const hard = await shop.processor('Hard', { simulator: { outcome: 'decline', decline_code: '14' } });
    const retrying = await shop.processor('Retry approves', { simulator: { outcome: 'decline', decline_code: '05', approve_optimized_retry: true } });
    const slow = await shop.processor('Times out', { simulator: { outcome: 'timeout' }, timeout_ms: 50 });

    await pay('decline, skip, approval', await shop.session([{ amount: 5000 }], await shop.route([declining, down, approving])));
    await pay('hard decline', await shop.session([{ amount: 5000 }, { amount: 2500 }], await shop.route([hard, approving], { failover: { decline_codes: ['05', '51'] } })));
    await pay(
      'next tier, own amount and route',
      await shop.session([
        { amount: 9900, route: await shop.route([declining]) },
        { amount: 4900, route: await shop.route([approving]) },
      ]),
    );
    const attemptsRoute = await shop.route([approving, cheap]);
    await pay('routing.attempts', await shop.session([{ amount: 5000 }], attemptsRoute), { payment_method: card(), routing: { attempts: [{ processor_id: cheap }] } });
    const noRoute = await shop.session([{ amount: 5000 }]);
    await pay('no route, every processor declines the card', noRoute, { payment_method: card(DECLINED_05) });
    await pay('no route, paid on the second try', noRoute);
    await pay('optimized retry', await shop.session([{ amount: 5000 }], await shop.route([retrying, approving], { optimized_retry: true })));
    await pay(
      'volume split',
      await shop.session([{ amount: 5000 }], await shop.route([approving, cheap], { strategy: 'volume_split', processors: [{ processor_id: approving, split: 30 }, { processor_id: cheap, split: 70 }] })),
    );
    await pay(
      'rule based',
      await shop.session(
        [{ amount: 5000 }],
        await shop.route([approving, cheap], { strategy: 'rule_based', rules: [{ conditions: [{ field: 'amount', operator: 'greater_than', value: 1000 }], processors: [{ processor_id: cheap }, { processor_id: approving }] }] }),
      ),
    );
    await pay('cost optimized', await shop.session([{ amount: 5000 }], await shop.route([approving, cheap], { strategy: 'cost_optimized' })));
    await pay('max attempts', await shop.session([{ amount: 5000 }, { amount: 4000 }], await shop.route([declining, approving], { failover: { max_attempts: 1 } })));
    await pay('unsupported currency and network', await shop.session([{ amount: 5000 }], await shop.route([euros, amex, approving])));
    await pay('timeout without failover on timeouts', await shop.session([{ amount: 5000 }, { amount: 4500 }], await shop.route([slow, approving], { failover: { on: ['decline'] } })));

    // Both change after the payment: the replay must route with the revision and the settings it recorded.
    const route = await shop.route([down, declining, approving]);
    await pay('route and processor changed since', await shop.session([{ amount: 5000 }], route));
    await t.http().patch(`/v1/processor-routes/${route}`).set('Authorization', `Bearer ${shop.account.secret}`).send({ processors: [{ processor_id: approving }, { processor_id: declining }] }).expect(200);
    await t.http().patch(`/v1/processors/${down}`).set('Authorization', `Bearer ${shop.account.secret}`).send({ status: 'active' }).expect(200);
    revisedRoute = { payment: payments.get('route and processor changed since')!, route };
  }, 60_000);

  afterAll(() => t.close());

  it('covers the cascade fixtures: every payment above was recorded', () => {
    expect(payments.size).toBe(14);
  });

  it.each([
    'decline, skip, approval',
    'hard decline',
    'next tier, own amount and route',
    'routing.attempts',
    'no route, every processor declines the card',
    'no route, paid on the second try',
    'optimized retry',
    'volume split',
    'rule based',
    'cost optimized',
    'max attempts',
    'unsupported currency and network',
    'timeout without failover on timeouts',
    'route and processor changed since',
  ])('finds no difference in the payment of "%s"', async (name) => {
    const { code, stdout } = await cli(t.dataDir, 'replay', 'payment', payments.get(name)!);

    expect(stdout).toMatch(/Decisions derived again from the recorded route revisions, processor settings and outcomes: [1-9]/);
    expect(stdout.trim().split('\n').pop()).toBe('No difference.');
    expect(code).toBe(0);
  });

  it('prints the timeline readably: tiers, route and revision, candidate order, skips with reasons and each call', async () => {
    const { stdout } = await cli(t.dataDir, 'replay', 'payment', payments.get('decline, skip, approval')!);
    const lines = stdout.split('\n');

    expect(lines[0]).toMatch(/^Payment pay_stg_\w+ {2}account acc_stg_\w+ {2}checkout session cs_stg_\w+$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}card {6}visa 424242…4242, BIN country /));
    expect(lines).toContainEqual(expect.stringMatching(/^Tier 0 {2}route proute_stg_\w+ revision 1 {2}strategy priority {2}optimized retry off/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}candidate order proc_stg_\w+, proc_stg_\w+, proc_stg_\w+$/));
    const calls = lines.slice(lines.findIndex((line) => line.startsWith('  processor')));
    expect(calls.slice(0, 4).map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['processor', 'network', 'attempt', 'optimized', 'outcome', 'code', 'duration', 'detail'],
      [expect.stringMatching(/^proc_stg_/), 'visa', '1', 'no', 'declined', '05', expect.stringMatching(/^\d+ ms$/), 'soft decline'],
      [expect.stringMatching(/^proc_stg_/), 'visa', '-', '-', 'skipped', '-', '-', 'unavailable'],
      [expect.stringMatching(/^proc_stg_/), 'visa', '2', 'no', 'approved', '-', expect.stringMatching(/^\d+ ms$/), expect.stringMatching(/^auth code /)],
    ]);
    // The columns line up: every row of the table starts its outcome where the header does.
    const outcomeAt = calls[0].indexOf('outcome');
    expect(calls.slice(1, 4).map((line) => line.slice(outcomeAt).split(' ')[0])).toEqual(['declined', 'skipped', 'approved']);
    expect(lines).toContainEqual(expect.stringMatching(/^Succeeded on tier 0 by proc_stg_\w+: 5000 USD, at /));
  });

  it('answers one JSON document with --json', async () => {
    const { code, stdout } = await cli(t.dataDir, 'replay', 'payment', payments.get('next tier, own amount and route')!, '--json');
    const document = JSON.parse(stdout);

    expect(code).toBe(0);
    expect(document.differences).toBe(0);
    expect(document.decisions.map((decision: { label: string }) => decision.label)).toEqual([
      'start tier 0',
      expect.stringMatching(/^after ProcessorDeclined by proc_stg_\w+ \(tier 0, attempt 1\)$/),
      'start tier 1',
      expect.stringMatching(/^after ProcessorApproved by proc_stg_\w+ \(tier 1, attempt 1\)$/),
    ]);
  });

  it('says so and exits with 1 when a copy of the store records another route revision than the one the payment was routed with', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'replay-copy-'));
    try {
      // A consistent copy of the live file, WAL included.
      const source = new Database(join(t.dataDir, 'events.db'), { readonly: true });
      await source.backup(join(copy, 'events.db'));
      source.close();
      const db = new Database(join(copy, 'events.db'));
      const changed = db
        .prepare("UPDATE events SET data = json_set(data, '$.route_revision', 2) WHERE stream_id = ? AND type = 'TierStarted'")
        .run(`payment-${revisedRoute.payment}`).changes;
      db.close();

      const { code, stdout } = await cliProcess(copy, 'replay', 'payment', revisedRoute.payment);

      expect(changed).toBe(1);
      expect(code).toBe(1);
      expect(stdout).toMatch(/start tier 0 +DIFFERS/);
      expect(stdout).toMatch(/Differences in 2 of 3 decisions:/);
      // Revision 2 lists two processors where the recorded tier planned three.
      expect(stdout).toMatch(/^ {4}TierStarted\.candidate_order +\["proc_stg_\w+","proc_stg_\w+"\] +\["proc_stg_\w+","proc_stg_\w+","proc_stg_\w+"\]$/m);
      expect(stdout).toMatch(/^ {4}PaymentSucceeded\.route_revision +2 +1$/m);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses an id that is not a payment id, and says when there is no such payment', async () => {
    expect(await cli(t.dataDir, 'replay', 'payment', 'cs_stg_nope')).toMatchObject({ code: 2, stderr: 'error: "cs_stg_nope" is not a payment id (pay_…)\n' });
    expect(await cli(t.dataDir, 'replay', 'payment', 'pay_stg_0000000000000000')).toMatchObject({ code: 1, stderr: 'error: no payment pay_stg_0000000000000000 in the event store\n' });
  });
});
